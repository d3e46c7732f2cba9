//! SRTP: protect and unprotect of a 1200-byte-payload RTP packet in each WebRTC profile,
//! rtcam against libsrtp2, webrtc-rs's `webrtc-srtp` and the bare RustCrypto primitives
//! (the limit). `cargo bench -p rtcam-benches --bench srtp`.
//!
//! What each row does per operation is documented on the functions it calls in
//! `rtcam_benches::srtp`. Before timing a profile, every implementation is checked to
//! produce rtcam's bytes and to accept them (`srtp::assert_equivalent`).
//!
//! Arguments other than flags select tables, for profiling one of them: a prefix of
//! "protect PROFILE", "unprotect PROFILE" or "setup PROFILE", or of the profile's name
//! (e.g. `-- "protect AEAD_AES_128"`, `-- setup`, `-- AES_CM`); without any, all run.

use std::hint::black_box;

use rtcam_benches::srtp::{
    self, LIBSRTP2, LibSrtp, PAYLOAD_LEN, PROFILES, PROTECT_START, Primitives, RING_LEN, Ring,
    RingReceiver,
};
use rtcam_benches::{Comparison, Config, Mode};
use rtcam_dtls_srtp::srtp::Profile;

const OURS: &str = "rtcam-dtls-srtp (in place)";
const PRIMITIVES: &str = "primitives: RustCrypto (limit)";
const WEBRTC: &str = "webrtc-rs webrtc-srtp 0.17";
const COPY: &str = "floor: ring copy alone";

fn main() {
    let cfg = Config::from_env();
    let libsrtp_row = match LibSrtp::version() {
        Some(v) => {
            println!(
                "libsrtp2: {v}, Debian's build (NSS crypto). Its heap use goes through C's \
                 malloc, which the allocation counter does not see: its allocs/op read 0.\n"
            );
            format!("{v} (in place; C heap uncounted)")
        }
        None => {
            println!(
                "libsrtp2: not linked in this build ({}): no libsrtp2 rows.\n",
                srtp::LIBSRTP2_SKIPPED.unwrap_or("unknown reason")
            );
            String::new()
        }
    };
    for profile in PROFILES {
        srtp::assert_equivalent(profile);
    }
    println!(
        "Cross-check passed for every profile: rtcam, libsrtp2{}, webrtc-srtp and the primitives \
         produce identical SRTP bytes for indices {:#x}..{:#x} (across a ROC wrap) and unprotect \
         each other's packets.\n",
        if LIBSRTP2 { "" } else { " (not linked)" },
        srtp::CHECK_INDICES.start,
        srtp::CHECK_INDICES.end,
    );

    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected = |kind: &str, profile: Profile| {
        let name = srtp::name(profile);
        let key = format!("{kind} {name}");
        filters.is_empty()
            || filters
                .iter()
                .any(|f| key.starts_with(f.as_str()) || name.starts_with(f.as_str()))
    };
    let mut summary = Vec::new();
    for profile in PROFILES {
        if selected("protect", profile) {
            let c = protect(&cfg, profile, &libsrtp_row);
            summary.push((format!("protect   {}", srtp::name(profile)), c));
        }
    }
    for profile in PROFILES {
        if selected("unprotect", profile) {
            let c = unprotect(&cfg, profile, &libsrtp_row);
            summary.push((format!("unprotect {}", srtp::name(profile)), c));
        }
    }
    for profile in PROFILES {
        if selected("setup", profile) {
            setup(&cfg, profile, &libsrtp_row);
        }
    }

    println!(
        "== rtcam / primitives: median ns per packet, and their ratio (target: at most 1.05) =="
    );
    if cfg.mode == Mode::Smoke {
        println!("SMOKE RUN: times not meaningful, pass --bench to measure");
    }
    println!(
        "{:<34} {:>9} {:>11} {:>8} {:>22}",
        "operation", "rtcam", "primitives", "ratio", "ratio net of ring copy"
    );
    let show = |r: f64| format!("{r:.3}{}", if r <= 1.05 { " " } else { "*" });
    for (what, c) in &summary {
        let ns = |name: &str| {
            c.rows()
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.measurement.median_ns)
        };
        let (Some(ours), Some(prim)) = (ns(OURS), ns(PRIMITIVES)) else {
            continue;
        };
        // The unprotect rows share the cost of copying the packet out of the ring; the
        // ratio without it is the stricter one.
        let net = ns(COPY).map_or("-".to_owned(), |copy| show((ours - copy) / (prim - copy)));
        println!(
            "{what:<34} {ours:>9.1} {prim:>11.1} {:>8} {net:>22}",
            show(ours / prim)
        );
    }
    println!("(* over 1.05)");
}

/// One table: protect a fresh packet (sequence number + 1 each time) in `profile`.
fn protect(cfg: &Config, profile: Profile, libsrtp: &str) -> Comparison {
    let mut cmp = Comparison::new(
        format!(
            "SRTP protect, {}: 12-byte header + {PAYLOAD_LEN}-byte payload, SEQ+1 per packet",
            srtp::name(profile)
        ),
        cfg,
    );
    cmp.bytes_per_op(PAYLOAD_LEN as u64);

    let mut ours = srtp::ours_context(profile);
    let mut buf = srtp::plaintext(PROTECT_START);
    let mut index = PROTECT_START;
    cmp.ours(OURS, || {
        index += 1;
        srtp::ours_protect(&mut ours, black_box(&mut buf), index as u16).expect("rtcam protects")
    });

    let prim = Primitives::new(profile);
    let mut buf = srtp::plaintext(PROTECT_START);
    let mut index = PROTECT_START;
    cmp.peer(PRIMITIVES, || {
        index += 1;
        srtp::primitives_protect(black_box(&prim), black_box(&mut buf), index)
    });

    if LIBSRTP2 {
        let mut lib = srtp::libsrtp_context(profile, false);
        let mut buf = srtp::plaintext(PROTECT_START);
        let mut index = PROTECT_START;
        cmp.peer(libsrtp, || {
            index += 1;
            srtp::libsrtp_protect(&mut lib, black_box(&mut buf), index as u16)
                .expect("libsrtp2 protects")
        });
    }

    let mut peer = srtp::webrtc_rs_sender(profile);
    let mut buf = srtp::plaintext(PROTECT_START);
    let mut index = PROTECT_START;
    cmp.peer(WEBRTC, || {
        index += 1;
        srtp::webrtc_rs_protect(&mut peer, black_box(&mut buf), index as u16)
            .expect("webrtc-srtp protects")
    });
    cmp.print();
    cmp
}

/// One table: unprotect the next packet of a ring of protected packets in `profile`.
fn unprotect(cfg: &Config, profile: Profile, libsrtp: &str) -> Comparison {
    let ring = Ring::new(profile);
    let mut cmp = Comparison::new(
        format!(
            "SRTP unprotect, {}: next of a ring of {RING_LEN} packets ({} bytes each, crossing a ROC wrap); \
             in-place rows include copying it into the work buffer; every row resets its receiver once per pass",
            srtp::name(profile),
            srtp::srtp_len(profile)
        ),
        cfg,
    );
    cmp.bytes_per_op(PAYLOAD_LEN as u64);

    let mut rx = RingReceiver::new(&ring, srtp::ours_context(profile), srtp::ours_reset);
    cmp.ours(OURS, || {
        rx.next_in_place(|ctx, pkt, _| srtp::ours_unprotect(ctx, pkt).expect("rtcam unprotects"))
    });

    let mut rx = RingReceiver::new(&ring, Primitives::new(profile), srtp::primitives_reset);
    cmp.peer(PRIMITIVES, || {
        rx.next_in_place(|keys, pkt, index| {
            srtp::primitives_unprotect(keys, pkt, index).expect("primitives unprotect")
        })
    });

    if LIBSRTP2 {
        let lib = srtp::libsrtp_context(profile, true);
        let mut rx = RingReceiver::new(&ring, lib, srtp::libsrtp_reset);
        cmp.peer(libsrtp, || {
            rx.next_in_place(|ctx, pkt, _| {
                srtp::libsrtp_unprotect(ctx, pkt).expect("libsrtp2 unprotects")
            })
        });
    }

    let mut rx = RingReceiver::new(
        &ring,
        srtp::webrtc_rs_receiver(profile),
        srtp::webrtc_rs_reset,
    );
    cmp.peer(WEBRTC, || {
        rx.next_borrowed(|ctx, pkt| {
            srtp::webrtc_rs_unprotect(ctx, pkt).expect("webrtc-srtp unprotects")
        })
    });

    let mut rx = RingReceiver::new(&ring, (), |_, _| ());
    cmp.peer(COPY, || rx.next_in_place(|_, pkt, _| pkt.len()));
    cmp.print();
    cmp
}

/// One table: set up (and drop) a receiving context from the master key and salt, the
/// cost each unprotect row pays once per pass over the ring.
fn setup(cfg: &Config, profile: Profile, libsrtp: &str) {
    let mut cmp = Comparison::new(
        format!(
            "SRTP receiver set-up + drop, {} (session keys for RTP and RTCP; primitives: RTP only): what the unprotect rows but libsrtp2 pay once per {RING_LEN} packets",
            srtp::name(profile)
        ),
        cfg,
    );
    cmp.ours(OURS, || drop(srtp::ours_context(black_box(profile))));
    cmp.peer(PRIMITIVES, || drop(Primitives::new(black_box(profile))));
    if LIBSRTP2 {
        cmp.peer(libsrtp, || {
            drop(srtp::libsrtp_context(black_box(profile), true))
        });
    }
    cmp.peer(WEBRTC, || {
        drop(srtp::webrtc_rs_receiver(black_box(profile)))
    });
    cmp.print();
}
