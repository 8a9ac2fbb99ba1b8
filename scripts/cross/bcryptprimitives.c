/* Stand-in for bcryptprimitives.dll under Wine 8 (Debian bookworm), which
 * does not have it. Rust's std on Windows takes its random bytes (HashMap
 * seeds) from ProcessPrng in that DLL, so without it every Rust executable
 * fails to start under that Wine. Windows 10 and later, and Wine 9 and
 * later, ship the real one: this is only for scripts/cross_test.sh. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
