//! Builds the libsrtp2 shim (`c/srtp_shim.c`) for the SRTP bench and links Debian's
//! libsrtp2 (package `libsrtp2-dev`).
//!
//! Only for native builds: cross builds (mipsel under qemu) have no libsrtp2 for the
//! target, so there the shim is skipped and the libsrtp2 rows with it (`cfg(rtcam_libsrtp2)`
//! is left unset). `RTCAM_BENCH_NO_LIBSRTP2=1` skips it on a native build too.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rtcam_libsrtp2)");
    println!("cargo::rerun-if-changed=c/srtp_shim.c");
    println!("cargo::rerun-if-env-changed=RTCAM_BENCH_NO_LIBSRTP2");

    let native = env::var("TARGET").ok() == env::var("HOST").ok();
    let opted_out = env::var_os("RTCAM_BENCH_NO_LIBSRTP2").is_some_and(|v| v != "0");
    if !native || opted_out {
        // Tells the tests and the bench why the libsrtp2 rows are missing.
        let why = if opted_out {
            "RTCAM_BENCH_NO_LIBSRTP2 is set"
        } else {
            "cross build (no libsrtp2 for the target)"
        };
        println!("cargo::rustc-env=RTCAM_LIBSRTP2_SKIPPED={why}");
        return;
    }
    let header = ["/usr/include", "/usr/local/include"]
        .iter()
        .any(|dir| Path::new(dir).join("srtp2/srtp.h").exists());
    if !header {
        panic!(
            "srtp2/srtp.h not found: the SRTP bench links libsrtp2 \
             (apt-get install libsrtp2-dev, see scripts/install.sh), \
             or set RTCAM_BENCH_NO_LIBSRTP2=1 to build without its rows"
        );
    }
    cc::Build::new()
        .file("c/srtp_shim.c")
        .opt_level(2)
        .warnings(true)
        .compile("rtcam_srtp_shim");
    println!("cargo::rustc-link-lib=srtp2");
    println!("cargo::rustc-cfg=rtcam_libsrtp2");
}
