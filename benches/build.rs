//! Builds the libsrtp2 shim (`c/srtp_shim.c`) for the SRTP bench and links Debian's
//! libsrtp2 (package `libsrtp2-dev`); builds the OpenSSL shim (`c/dtls_shim.c`) for the
//! DTLS handshake bench and links OpenSSL 3 (package `libssl-dev`, found with pkg-config).
//!
//! Only for native builds: cross builds (mipsel under qemu) have neither library for the
//! target, so there the shims are skipped and their rows with them (`cfg(rtcam_libsrtp2)`,
//! `cfg(rtcam_openssl)` are left unset). `RTCAM_BENCH_NO_LIBSRTP2=1` and
//! `RTCAM_BENCH_NO_OPENSSL=1` skip them on a native build too.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    openssl();
    libsrtp2();
}

/// The OpenSSL shim: compiled against `pkg-config openssl`'s flags, `cfg(rtcam_openssl)`.
fn openssl() {
    println!("cargo::rustc-check-cfg=cfg(rtcam_openssl)");
    println!("cargo::rerun-if-changed=c/dtls_shim.c");
    println!("cargo::rerun-if-env-changed=RTCAM_BENCH_NO_OPENSSL");

    let native = env::var("TARGET").ok() == env::var("HOST").ok();
    let opted_out = env::var_os("RTCAM_BENCH_NO_OPENSSL").is_some_and(|v| v != "0");
    if !native || opted_out {
        let why = if opted_out {
            "RTCAM_BENCH_NO_OPENSSL is set"
        } else {
            "cross build (no OpenSSL for the target)"
        };
        println!("cargo::rustc-env=RTCAM_OPENSSL_SKIPPED={why}");
        return;
    }
    let pkg_config = |arg: &str| -> String {
        let out = Command::new("pkg-config")
            .args([arg, "openssl"])
            .output()
            .unwrap_or_else(|e| panic!("running pkg-config: {e} (apt-get install pkg-config)"));
        if !out.status.success() {
            panic!(
                "pkg-config finds no openssl: the DTLS handshake bench links OpenSSL 3 \
                 (apt-get install libssl-dev, see scripts/install.sh), \
                 or set RTCAM_BENCH_NO_OPENSSL=1 to build without its rows"
            );
        }
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let version = pkg_config("--modversion");
    if !version.starts_with('3') {
        panic!("the DTLS handshake bench's shim needs OpenSSL 3, pkg-config has {version}");
    }
    let mut build = cc::Build::new();
    build.file("c/dtls_shim.c").opt_level(2).warnings(true);
    for flag in pkg_config("--cflags").split_whitespace() {
        build.flag(flag);
    }
    build.compile("rtcam_dtls_shim");
    for flag in pkg_config("--libs").split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo::rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo::rustc-link-lib={lib}");
        }
    }
    println!("cargo::rustc-cfg=rtcam_openssl");
}

/// The libsrtp2 shim, `cfg(rtcam_libsrtp2)`.
fn libsrtp2() {
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
