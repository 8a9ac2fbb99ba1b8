//! The calls a game makes every frame — `log_debug`, `log_info`,
//! `log_warn`, `log_error`, `increment`, `gauge`, `histogram`,
//! `start_span` — registered with Godot by hand instead of through
//! `#[func]`.
//!
//! ```text
//! GDScript GameTracker.log_info("hit", {...})
//!   └─ Godot MethodBind::call ──► call::<LOG_INFO>(args as Godot's own Variants)
//!        └─ GameTrackerClient::log(level, message, Some(data))   (client.rs)
//! ```
//!
//! Why: gdext's generated wrapper builds a `Vec` of the default arguments
//! on every call (even when every argument is given), a second `Vec` when
//! some are left out, and copies each argument Variant in and out: about
//! 90 ns a call, measured against a method registered this way (the floor
//! modes of `tests/bench/godot/bench_game.gd`). Here Godot's argument
//! Variants are borrowed where they are and a left-out argument is `None`;
//! conversion, checks and the tracker are the client's, unchanged.
//!
//! This reaches into gdext's doc-hidden `godot::private` (the instance
//! storage, the docs registry), so the `godot` crate is pinned to an exact
//! version in Cargo.toml. `GameTrackerSpan`'s own methods stay `#[func]`:
//! they take no optional arguments, so gdext adds little to them.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use game_tracker_core::{Level, MetricKind};
use godot::builtin::{GString, StringName, Variant};
use godot::meta::ToGodot;
use godot::obj::{Gd, GodotClass};
use godot::private::Storage;
use godot::sys;

use crate::span::GameTrackerSpan;

/// The most parameters a hot method has.
const MAX_PARAMS: usize = 3;

/// A call's arguments in declaration order; `None` for one left out.
type Args<'a> = [Option<&'a Variant>; MAX_PARAMS];

/// A parameter: its name, and whether a call may leave it out.
struct Param {
    name: &'static str,
    optional: bool,
    /// The default shown in the editor's documentation for an optional one.
    default: &'static str,
}

const fn required(name: &'static str) -> Param {
    Param {
        name,
        optional: false,
        default: "",
    }
}

const fn optional(name: &'static str, default: &'static str) -> Param {
    Param {
        name,
        optional: true,
        default,
    }
}

struct HotMethod {
    name: &'static str,
    params: &'static [Param],
    /// Shown by F1 in the editor (BBCode); builds without the class
    /// reference (the Web's) leave it unread.
    #[cfg_attr(not(any(feature = "docs", test)), allow(dead_code))]
    description: &'static str,
    call: Call,
}

/// What a method does with its arguments (indexes into them).
#[derive(Clone, Copy)]
enum Call {
    /// `(message, data)`.
    Log(Level),
    /// `(name, …)` with the value and the labels at these positions.
    Metric {
        kind: MetricKind,
        value: usize,
        labels: usize,
    },
    /// `(name, attributes, parent)`, returning a `GameTrackerSpan`.
    Span,
}

/// Where a call's return value goes: Godot's varcall hands a (nil)
/// Variant, its ptrcall a `Ref<GameTrackerSpan>` for a RefCounted return.
#[derive(Clone, Copy)]
enum Return {
    Variant(sys::GDExtensionVariantPtr),
    Ref(sys::GDExtensionTypePtr),
}

/// What a class registered with these methods does with them: the client
/// sends, the benchmark's floor does nothing.
pub trait HotApi: GodotClass + godot::obj::Bounds<Declarer = godot::obj::bounds::DeclUser> {
    /// `data` is `None` when the call left it out.
    fn log(&self, level: Level, method: &'static str, message: &Variant, data: Option<&Variant>);
    /// `value` is `None` when `increment` left out its amount (1).
    fn metric(
        &self,
        kind: MetricKind,
        method: &'static str,
        name: &Variant,
        value: Option<&Variant>,
        labels: Option<&Variant>,
    );
    /// Calls `give` with the span to return.
    fn start_span(
        &self,
        name: &Variant,
        attributes: Option<&Variant>,
        parent: Option<&Variant>,
        give: &mut dyn FnMut(&Gd<GameTrackerSpan>),
    );
}

const MESSAGE_DATA: &[Param] = &[required("message"), optional("data", "null")];
const NAME_VALUE_LABELS: &[Param] = &[
    required("name"),
    required("value"),
    optional("labels", "null"),
];

static METHODS: [HotMethod; 8] = [
    HotMethod {
        name: "log_debug",
        params: MESSAGE_DATA,
        description: "A debug log line; [code]data[/code] (a Dictionary) goes into the JSON line.",
        call: Call::Log(Level::Debug),
    },
    HotMethod {
        name: "log_info",
        params: MESSAGE_DATA,
        description: "An info log line; [code]data[/code] (a Dictionary) goes into the JSON line.",
        call: Call::Log(Level::Info),
    },
    HotMethod {
        name: "log_warn",
        params: MESSAGE_DATA,
        description: "A warning log line; [code]data[/code] (a Dictionary) goes into the JSON line.",
        call: Call::Log(Level::Warn),
    },
    HotMethod {
        name: "log_error",
        params: MESSAGE_DATA,
        description: "An error log line; [code]data[/code] (a Dictionary) goes into the JSON line, with the last breadcrumbs.",
        call: Call::Log(Level::Error),
    },
    HotMethod {
        name: "increment",
        params: &[required("name"), optional("labels", "null"), optional("amount", "1")],
        description: "Adds [code]amount[/code] to the counter [code]<name>_total[/code].",
        call: Call::Metric { kind: MetricKind::Counter, value: 2, labels: 1 },
    },
    HotMethod {
        name: "gauge",
        params: NAME_VALUE_LABELS,
        description: "Sets the gauge [code]name[/code] to [code]value[/code].",
        call: Call::Metric { kind: MetricKind::Gauge, value: 1, labels: 2 },
    },
    HotMethod {
        name: "histogram",
        params: NAME_VALUE_LABELS,
        description: "Observes [code]value[/code] into the histogram [code]name[/code].",
        call: Call::Metric { kind: MetricKind::Histogram, value: 1, labels: 2 },
    },
    HotMethod {
        name: "start_span",
        params: &[required("name"), optional("attributes", "null"), optional("parent", "null")],
        description: "Starts a span; call [code]end()[/code] on it when done. Pass another span as [code]parent[/code] to nest it. Always returns a span, so [code]end()[/code] is safe even when the tracker is off.",
        call: Call::Span,
    },
];

/// Runs method `M` on the object behind `instance`. A panic stops here:
/// it must not unwind into the engine.
fn run<T: HotApi, const M: usize>(
    instance: sys::GDExtensionClassInstancePtr,
    args: &Args,
    ret: Return,
) {
    let method = &METHODS[M];
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: Godot passes the instance of the object the method was
        // called on, and the method is registered on class T only, so it is
        // T's gdext storage. `get` borrow-checks (a call from inside
        // `process` goes through `base_mut`'s guard).
        let storage = unsafe { godot::private::as_storage::<T>(instance) };
        let this = storage.get();
        // The first parameter is required: `call` refused the call without it.
        let Some(first) = args[0] else { return };
        match method.call {
            Call::Log(level) => this.log(level, method.name, first, args[1]),
            Call::Metric {
                kind,
                value,
                labels,
            } => this.metric(kind, method.name, first, args[value], args[labels]),
            Call::Span => {
                this.start_span(first, args[1], args[2], &mut |span| give_back(span, ret))
            }
        }
    }));
    if outcome.is_err() {
        crate::warn::error(&format!(
            "GameTracker.{}(): internal error; call ignored",
            method.name
        ));
    }
}

/// Writes the span a call returns where Godot asked for it.
fn give_back(span: &Gd<GameTrackerSpan>, ret: Return) {
    match ret {
        // SAFETY: Godot's varcall passes a constructed nil Variant (nothing
        // to drop); the new Variant holds its own reference to the span.
        Return::Variant(ptr) => unsafe {
            std::ptr::write(ptr.cast::<Variant>(), span.to_variant())
        },
        // SAFETY: a ptrcall returning a RefCounted passes a `Ref<T>`, which
        // `ref_set_object` points at the span (taking a reference).
        Return::Ref(ptr) => unsafe {
            sys::interface_fn!(ref_set_object)(ptr as sys::GDExtensionRefPtr, span.obj_sys())
        },
    }
}

/// Godot's varcall: `count` argument Variants, some optional ones left out.
unsafe extern "C" fn call<T: HotApi, const M: usize>(
    _userdata: *mut c_void,
    instance: sys::GDExtensionClassInstancePtr,
    args: *const sys::GDExtensionConstVariantPtr,
    count: sys::GDExtensionInt,
    ret: sys::GDExtensionVariantPtr,
    error: *mut sys::GDExtensionCallError,
) {
    let params = METHODS[M].params;
    let needed = params.iter().filter(|p| !p.optional).count();
    let count = usize::try_from(count).unwrap_or(0);
    if count < needed || count > params.len() {
        // SAFETY: Godot passes a valid error out-parameter.
        unsafe {
            (*error).error = if count < needed {
                sys::GDEXTENSION_CALL_ERROR_TOO_FEW_ARGUMENTS
            } else {
                sys::GDEXTENSION_CALL_ERROR_TOO_MANY_ARGUMENTS
            };
            (*error).expected = if count < needed { needed } else { params.len() } as i32;
        }
        return;
    }
    let mut borrowed: Args = [None; MAX_PARAMS];
    for (i, slot) in borrowed.iter_mut().enumerate().take(count) {
        // SAFETY: Godot passes `count` pointers to Variants that live for
        // the call; gdext's `Variant` is `repr(transparent)` over Godot's.
        *slot = unsafe { (*args.add(i)).cast::<Variant>().as_ref() };
    }
    run::<T, M>(instance, &borrowed, Return::Variant(ret));
}

/// Godot's ptrcall: every argument given, each a pointer to a Variant (the
/// parameters are Variants). GDScript does not use it for Variant
/// parameters; other callers (C#, C++ extensions) may.
unsafe extern "C" fn ptrcall<T: HotApi, const M: usize>(
    _userdata: *mut c_void,
    instance: sys::GDExtensionClassInstancePtr,
    args: *const sys::GDExtensionConstTypePtr,
    ret: sys::GDExtensionTypePtr,
) {
    let mut borrowed: Args = [None; MAX_PARAMS];
    for (i, slot) in borrowed
        .iter_mut()
        .enumerate()
        .take(METHODS[M].params.len())
    {
        // SAFETY: as in `call`, with every parameter present.
        *slot = unsafe { (*args.add(i)).cast::<Variant>().as_ref() };
    }
    run::<T, M>(instance, &borrowed, Return::Ref(ret));
}

type EntryPoints = (
    sys::GDExtensionClassMethodCall,
    sys::GDExtensionClassMethodPtrCall,
);

/// The varcall and ptrcall entry points of method `M` on class T.
fn entry_points<T: HotApi, const M: usize>() -> EntryPoints {
    (Some(call::<T, M>), Some(ptrcall::<T, M>))
}

/// Adds the methods to class T in ClassDB. Called once, on the main
/// thread, after gdext registered the class (`InitStage::Scene`).
pub fn register<T: HotApi>() {
    let entry_points: [EntryPoints; 8] = [
        entry_points::<T, 0>(),
        entry_points::<T, 1>(),
        entry_points::<T, 2>(),
        entry_points::<T, 3>(),
        entry_points::<T, 4>(),
        entry_points::<T, 5>(),
        entry_points::<T, 6>(),
        entry_points::<T, 7>(),
    ];
    let class = T::class_id();
    let class_name = StringName::from(class.to_string().as_str());
    let no_class = StringName::default();
    let no_hint = GString::new();
    let span_class = StringName::from(GameTrackerSpan::class_id().to_string().as_str());
    for (method, (call_func, ptrcall_func)) in METHODS.iter().zip(entry_points) {
        let name = StringName::from(method.name);
        let param_names: Vec<StringName> = method
            .params
            .iter()
            .map(|p| StringName::from(p.name))
            .collect();
        let mut param_info: Vec<sys::GDExtensionPropertyInfo> = param_names
            .iter()
            .map(|param| sys::GDExtensionPropertyInfo {
                // A Variant parameter: NIL with "nil is variant".
                type_: sys::GDEXTENSION_VARIANT_TYPE_NIL,
                name: sys::SysPtr::force_mut(param.string_sys()),
                class_name: sys::SysPtr::force_mut(no_class.string_sys()),
                hint: 0,
                hint_string: sys::SysPtr::force_mut(no_hint.string_sys()),
                usage: PROPERTY_USAGE_DEFAULT | PROPERTY_USAGE_NIL_IS_VARIANT,
            })
            .collect();
        let mut metadata =
            vec![sys::GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE; method.params.len()];
        // Shown by the editor and script tools; `call` reads a left-out
        // argument as None, never these.
        let defaults: Vec<Variant> = method
            .params
            .iter()
            .filter(|p| p.optional)
            .map(|p| default_value(p.default))
            .collect();
        let mut default_ptrs: Vec<sys::GDExtensionVariantPtr> = defaults
            .iter()
            .map(|v| sys::SysPtr::force_mut(v.var_sys()))
            .collect();
        let returns_span = matches!(method.call, Call::Span);
        let mut return_info = sys::GDExtensionPropertyInfo {
            type_: sys::GDEXTENSION_VARIANT_TYPE_OBJECT,
            name: sys::SysPtr::force_mut(no_class.string_sys()),
            class_name: sys::SysPtr::force_mut(span_class.string_sys()),
            hint: 0,
            hint_string: sys::SysPtr::force_mut(no_hint.string_sys()),
            usage: PROPERTY_USAGE_DEFAULT,
        };
        let info = sys::GDExtensionClassMethodInfo {
            name: sys::SysPtr::force_mut(name.string_sys()),
            method_userdata: std::ptr::null_mut(),
            call_func,
            ptrcall_func,
            method_flags: sys::GDEXTENSION_METHOD_FLAG_NORMAL as u32,
            has_return_value: u8::from(returns_span),
            return_value_info: if returns_span {
                &mut return_info
            } else {
                std::ptr::null_mut()
            },
            return_value_metadata: sys::GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE,
            argument_count: method.params.len() as u32,
            arguments_info: param_info.as_mut_ptr(),
            arguments_metadata: metadata.as_mut_ptr(),
            default_argument_count: defaults.len() as u32,
            default_arguments: default_ptrs.as_mut_ptr(),
        };
        // SAFETY: main thread during initialisation; every pointer in `info`
        // outlives the call (Godot copies what it keeps).
        unsafe {
            sys::interface_fn!(classdb_register_extension_class_method)(
                sys::get_library(),
                class_name.string_sys(),
                &info,
            );
        }
    }
}

const PROPERTY_USAGE_DEFAULT: u32 = 6;
const PROPERTY_USAGE_NIL_IS_VARIANT: u32 = 1 << 17;

fn default_value(text: &str) -> Variant {
    match text.parse::<i64>() {
        Ok(n) => Variant::from(n),
        Err(_) => Variant::nil(),
    }
}

/// The methods' entries in the editor's class reference (F1), in the form
/// gdext gives `#[func]`s.
#[cfg(any(feature = "docs", test))]
pub fn docs_xml() -> String {
    METHODS
        .iter()
        .map(|m| {
            let params: String = m
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let default = if p.optional { format!(r#" default="{}""#, p.default) } else { String::new() };
                    format!(r#"<param index="{i}" name="{}" type="Variant"{default} />"#, p.name)
                })
                .collect();
            format!(
                "\n<method name=\"{}\">\n  <return type=\"{}\" />\n  {params}\n  <description>\n  {}\n  </description>\n</method>\n",
                m.name,
                if matches!(m.call, Call::Span) { "GameTrackerSpan" } else { "void" },
                m.description.replace('<', "&lt;").replace('>', "&gt;")
            )
        })
        .collect()
}
