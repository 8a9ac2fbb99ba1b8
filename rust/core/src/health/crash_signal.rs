//! Telling a crash from an unexplained death. On Linux, macOS and Android a
//! crash arrives as a signal (`SIGSEGV`, `SIGILL` from `OS.crash()`'s trap,
//! `SIGFPE`, `SIGBUS`, `SIGABRT`). A handler installed after Godot's own
//! crash handler writes `<session>.crashed` beside the session's marker,
//! with only async-signal-safe calls (`open`, `write`, `close`), then hands
//! the signal on to the handler that was there before (Godot prints its
//! backtrace and aborts). `SIGKILL` cannot be caught: such a session is
//! reported as abnormal, as is every unclean death on Windows, where Godot
//! catches crashes in its own structured exception handler first.

#[cfg(unix)]
mod unix {
    use std::ffi::CString;
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::OnceLock;

    const SIGNALS: [libc::c_int; 5] = [
        libc::SIGSEGV,
        libc::SIGILL,
        libc::SIGFPE,
        libc::SIGBUS,
        libc::SIGABRT,
    ];

    /// The flag file's path for the running session; null when none runs.
    static FLAG_PATH: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());
    /// The handlers that were installed before ours, in `SIGNALS` order.
    static PREVIOUS: OnceLock<[libc::sigaction; 5]> = OnceLock::new();

    pub fn arm(flag_path: &std::path::Path) {
        let Ok(path) = CString::new(flag_path.as_os_str().as_encoded_bytes()) else {
            return;
        };
        let old = FLAG_PATH.swap(path.into_raw(), Ordering::SeqCst);
        // The previous path is leaked, not freed: a handler may be reading it.
        let _ = old;
        PREVIOUS.get_or_init(install);
    }

    pub fn disarm() {
        FLAG_PATH.store(std::ptr::null_mut(), Ordering::SeqCst);
    }

    fn install() -> [libc::sigaction; 5] {
        // SAFETY: plain sigaction calls with valid, zero-initialised structs.
        unsafe {
            let mut previous: [libc::sigaction; 5] = std::mem::zeroed();
            for (i, &signal) in SIGNALS.iter().enumerate() {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_fatal_signal as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, &mut previous[i]);
            }
            previous
        }
    }

    extern "C" fn on_fatal_signal(
        signal: libc::c_int,
        info: *mut libc::siginfo_t,
        context: *mut libc::c_void,
    ) {
        let path = FLAG_PATH.load(Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: async-signal-safe calls on a NUL-terminated path that is never freed.
            unsafe {
                let fd = libc::open(
                    path,
                    libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC | libc::O_CLOEXEC,
                    0o644,
                );
                if fd >= 0 {
                    let mut digits = [0u8; 4];
                    let mut n = signal.clamp(0, 999) as u32;
                    let mut len = 0;
                    loop {
                        digits[3 - len] = b'0' + (n % 10) as u8;
                        len += 1;
                        n /= 10;
                        if n == 0 {
                            break;
                        }
                    }
                    libc::write(fd, digits[4 - len..].as_ptr().cast(), len);
                    libc::close(fd);
                }
            }
        }
        pass_on(signal, info, context);
    }

    /// Runs the handler that was there before ours; with none, the default
    /// action (the process ends the way it would have without us).
    fn pass_on(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
        let Some(previous) = PREVIOUS.get() else {
            return;
        };
        let Some(i) = SIGNALS.iter().position(|s| *s == signal) else {
            return;
        };
        let old = &previous[i];
        let handler = old.sa_sigaction;
        // SAFETY: calling the previously installed handler the way it was
        // registered, or restoring the default and raising again.
        unsafe {
            if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
                libc::sigaction(signal, old, std::ptr::null_mut());
                libc::raise(signal);
            } else if old.sa_flags & libc::SA_SIGINFO != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(handler);
                f(signal, info, context);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
                f(signal);
            }
        }
    }
}

/// From now on a crash of this process flags the running session at `flag_path`.
pub fn arm(flag_path: &std::path::Path) {
    #[cfg(unix)]
    unix::arm(flag_path);
    #[cfg(not(unix))]
    let _ = flag_path;
}

/// The session ended: a later crash flags nothing.
pub fn disarm() {
    #[cfg(unix)]
    unix::disarm();
}

/// A caught signal's name, as a crash report's `exception.type` gives it
/// (the numbers differ between systems; the marker was written on this one).
pub fn name(signal: i32) -> String {
    #[cfg(unix)]
    {
        let known = [
            (libc::SIGSEGV, "SIGSEGV"),
            (libc::SIGILL, "SIGILL"),
            (libc::SIGFPE, "SIGFPE"),
            (libc::SIGBUS, "SIGBUS"),
            (libc::SIGABRT, "SIGABRT"),
        ];
        if let Some((_, name)) = known.iter().find(|(number, _)| *number == signal) {
            return (*name).to_string();
        }
    }
    format!("signal {signal}")
}
