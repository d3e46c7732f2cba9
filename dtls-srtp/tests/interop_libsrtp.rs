//! rtcam's SRTP/SRTCP against libsrtp2 (Cisco's implementation, the one in Chrome and most
//! WebRTC stacks), for every profile: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32
//! (SRTCP with the 80-bit tag, RFC 5764 §4.1.2), AEAD_AES_128_GCM, AEAD_AES_256_GCM.
//!
//! libsrtp runs as a child process (`tests/libsrtp/srtp_tool.c`, compiled at test time;
//! see `tests/libsrtp/mod.rs`), so there is no FFI. Under one master key and salt:
//!
//! 1. RTP across the sequence-number wrap (ROC 0 → 1), two interleaved SSRCs, CSRCs,
//!    header extensions, padding, payloads of 0 to 1200 bytes: both sides' protected
//!    bytes are identical (SRTP is deterministic given keys, SSRC, SEQ and ROC), libsrtp
//!    unprotects ours and we unprotect libsrtp's, byte-exact to the original.
//! 2. SRTCP compounds (SR+SDES, RR+SDES+PSFB) from two SSRCs, both directions, identical
//!    bytes for the same SRTCP index.
//! 3. Replays (the same packet twice, an older packet seen before, one older than the
//!    window) are rejected by both, and an in-window late packet accepted by both.
//! 4. Every single-bit flip of a protected packet is rejected by both, and the untouched
//!    packet is accepted afterwards.
//! 5. Reordered, duplicated and lost delivery across the wrap: both receivers give the same
//!    verdict for every packet (libsrtp runs with our replay window size).
//!
//! Two more pin a bug this comparison found and that is fixed: at ROC 0 our ROC estimate
//! could underflow to 0xFFFFFFFF where libsrtp keeps 0 (SRTCP before the first RTP packet
//! of an SSRC, and a jump of more than 32768 at ROC 0).
//!
//! A missing C compiler, pkg-config or libsrtp2 fails the tests: run scripts/test.sh.

// These tests spawn host programs (cc, libsrtp2), which do not exist under qemu-mipsel.
#![cfg(not(target_arch = "mips"))]
// clippy.toml's allow-*-in-tests covers #[test] functions only, not the helpers below.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod libsrtp;

use libsrtp::{AUTH_FAIL, CANT_CHECK, REPLAY_FAIL, REPLAY_OLD, Session, Tool, hex, profile_name};
use rtcam_dtls_srtp::srtp::{Context, Error, Profile};

/// splitmix64: reproducible keys, payloads and delivery orders.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A master key and salt of the profile's sizes.
fn master(profile: Profile, rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    (
        rng.bytes(profile.master_key_len()),
        rng.bytes(profile.master_salt_len()),
    )
}

/// Both sides under one master key: libsrtp (sender + receiver) and our sender and
/// receiver contexts.
struct Peers {
    profile: Profile,
    lib: Session,
    tx: Context,
    rx: Context,
}

impl Peers {
    fn new(tool: &Tool, profile: Profile, rng: &mut Rng) -> Peers {
        let (key, salt) = master(profile, rng);
        Peers {
            profile,
            lib: tool.session(profile, &key, &salt),
            tx: Context::new(profile, &key, &salt).unwrap(),
            rx: Context::new(profile, &key, &salt).unwrap(),
        }
    }

    fn name(&self) -> &'static str {
        profile_name(self.profile)
    }

    fn our_protect_rtp(&mut self, packet: &[u8]) -> Vec<u8> {
        let mut buf = packet.to_vec();
        buf.resize(packet.len() + self.profile.rtp_overhead(), 0);
        let n = self
            .tx
            .protect_rtp(&mut buf, packet.len())
            .unwrap_or_else(|e| panic!("{}: our protect_rtp: {e:?}\n{}", self.name(), hex(packet)));
        buf.truncate(n);
        buf
    }

    fn our_unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, Error> {
        let mut buf = packet.to_vec();
        let n = self.rx.unprotect_rtp(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn our_protect_rtcp(&mut self, packet: &[u8]) -> Vec<u8> {
        let mut buf = packet.to_vec();
        buf.resize(packet.len() + self.profile.rtcp_overhead(), 0);
        let n = self
            .tx
            .protect_rtcp(&mut buf, packet.len())
            .unwrap_or_else(|e| {
                panic!("{}: our protect_rtcp: {e:?}\n{}", self.name(), hex(packet))
            });
        buf.truncate(n);
        buf
    }

    fn our_unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, Error> {
        let mut buf = packet.to_vec();
        let n = self.rx.unprotect_rtcp(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn lib_protect_rtp(&mut self, packet: &[u8]) -> Vec<u8> {
        let name = self.name();
        self.lib
            .protect_rtp(packet)
            .unwrap_or_else(|e| panic!("{name}: libsrtp srtp_protect: error {e}\n{}", hex(packet)))
    }

    fn lib_protect_rtcp(&mut self, packet: &[u8]) -> Vec<u8> {
        let name = self.name();
        self.lib.protect_rtcp(packet).unwrap_or_else(|e| {
            panic!(
                "{name}: libsrtp srtp_protect_rtcp: error {e}\n{}",
                hex(packet)
            )
        })
    }

    /// Both protect `packet`; the results must be the same bytes. Returns them.
    fn protect_rtp_both(&mut self, packet: &[u8]) -> Vec<u8> {
        let ours = self.our_protect_rtp(packet);
        let theirs = self.lib_protect_rtp(packet);
        assert_eq!(
            hex(&ours),
            hex(&theirs),
            "{}: SRTP differs from libsrtp's (left: ours, right: libsrtp) for RTP {}",
            self.name(),
            hex(packet)
        );
        ours
    }

    /// Each receiver gets the other's packet (the same bytes, see `protect_rtp_both`); both
    /// must give back `original`.
    fn unprotect_rtp_both(&mut self, srtp: &[u8], original: &[u8]) {
        let name = self.name();
        let theirs = self.lib.unprotect_rtp(srtp);
        assert_eq!(
            theirs.map(|p| hex(&p)),
            Ok(hex(original)),
            "{name}: libsrtp srtp_unprotect of our SRTP {}",
            hex(srtp)
        );
        let ours = self.our_unprotect_rtp(srtp);
        assert_eq!(
            ours.map(|p| hex(&p)),
            Ok(hex(original)),
            "{name}: our unprotect_rtp of libsrtp's SRTP {}",
            hex(srtp)
        );
    }
}

/// Sizes the payloads cycle through: empty, around the AES block, odd, up to 1200.
const PAYLOAD_SIZES: [usize; 16] = [
    0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 159, 160, 161, 555, 1199, 1200,
];

/// An RTP packet: `csrcs` CSRCs, a one-byte-header extension of `ext_words` words if
/// given, `payload` random bytes, and `padding` bytes of padding (P bit) if non-zero.
fn rtp(
    rng: &mut Rng,
    seq: u16,
    ssrc: u32,
    csrcs: usize,
    ext_words: Option<u16>,
    payload: usize,
    padding: u8,
) -> Vec<u8> {
    let mut first = 0x80 | csrcs as u8;
    if padding > 0 {
        first |= 0x20;
    }
    if ext_words.is_some() {
        first |= 0x10;
    }
    let marker = if seq % 5 == 0 { 0x80 } else { 0 };
    let mut p = vec![first, marker | 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&u32::from(seq).wrapping_mul(3000).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    for c in 0..csrcs {
        p.extend_from_slice(&(0x0c5c_0000 + c as u32).to_be_bytes());
    }
    if let Some(words) = ext_words {
        p.extend_from_slice(&[0xbe, 0xde]);
        p.extend_from_slice(&words.to_be_bytes());
        p.extend_from_slice(&rng.bytes(4 * usize::from(words)));
    }
    p.extend_from_slice(&rng.bytes(payload));
    if padding > 0 {
        p.extend_from_slice(&vec![0; usize::from(padding) - 1]);
        p.push(padding);
    }
    p
}

/// The `i`-th packet of a varied stream: CSRCs, extensions and padding in some packets,
/// payload sizes from [`PAYLOAD_SIZES`] and random ones up to 1200 bytes.
fn varied_rtp(rng: &mut Rng, i: usize, seq: u16, ssrc: u32) -> Vec<u8> {
    let csrcs = if i % 3 == 0 { i % 5 } else { 0 };
    let ext = (i % 4 == 1).then_some((i % 7) as u16);
    let payload = if i % 2 == 0 {
        PAYLOAD_SIZES[(i / 2) % PAYLOAD_SIZES.len()]
    } else {
        rng.below(1201) as usize
    };
    let padding = if i % 11 == 5 { (i % 4 + 1) as u8 } else { 0 };
    rtp(rng, seq, ssrc, csrcs, ext, payload, padding)
}

/// An RTCP compound: SR (one report block) + SDES CNAME from `ssrc` when `sr`, else
/// RR (two report blocks) + SDES CNAME + PLI (PSFB).
fn rtcp(rng: &mut Rng, ssrc: u32, sr: bool, n: u32) -> Vec<u8> {
    let mut p = Vec::new();
    let report_block = |p: &mut Vec<u8>, rng: &mut Rng| {
        p.extend_from_slice(&rng.bytes(4)); // SSRC of the source
        p.extend_from_slice(&rng.bytes(20)); // loss, highest seq, jitter, LSR, DLSR
    };
    if sr {
        p.extend_from_slice(&[0x81, 200, 0, 12]);
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(&(0xe000_0000_0000_0000_u64 + u64::from(n)).to_be_bytes());
        p.extend_from_slice(&(n * 3000).to_be_bytes());
        p.extend_from_slice(&(n * 7).to_be_bytes());
        p.extend_from_slice(&(n * 7000).to_be_bytes());
        report_block(&mut p, rng);
    } else {
        p.extend_from_slice(&[0x82, 201, 0, 13]);
        p.extend_from_slice(&ssrc.to_be_bytes());
        report_block(&mut p, rng);
        report_block(&mut p, rng);
    }
    // SDES: one chunk, CNAME "rtcam-cam0" (10 bytes), END, padded to a word.
    p.extend_from_slice(&[0x81, 202, 0, 5]);
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[1, 10]);
    p.extend_from_slice(b"rtcam-cam0");
    p.extend_from_slice(&[0, 0, 0, 0]);
    if !sr {
        // PSFB PLI: sender SSRC, media SSRC.
        p.extend_from_slice(&[0x81, 206, 0, 2]);
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(&rng.bytes(4));
    }
    p
}

/// The SRTCP index (E flag cleared) of a protected packet.
fn srtcp_index(profile: Profile, srtcp: &[u8]) -> u32 {
    let at = if profile.is_aead() {
        srtcp.len() - 4
    } else {
        srtcp.len() - 14
    };
    u32::from_be_bytes(srtcp[at..at + 4].try_into().unwrap()) & 0x7fff_ffff
}

fn for_each_profile(seed: u64, mut f: impl FnMut(&Tool, Profile, &mut Rng)) {
    let tool = Tool::build();
    for (i, profile) in Profile::ALL.into_iter().enumerate() {
        let mut rng = Rng(seed ^ (i as u64 + 1).wrapping_mul(0x1234_5678_9abc_def1));
        f(&tool, profile, &mut rng);
    }
}

/// RTP across the wrap, both directions, identical protected bytes.
#[test]
fn rtp_byte_identical_across_the_wrap() {
    for_each_profile(1, |tool, profile, rng| {
        let mut peers = Peers::new(tool, profile, rng);
        // Stream A wraps (65500 + 100 packets: ROC 0 → 1); stream B interleaves without
        // wrapping; stream C starts right at 65535.
        let mut sent = 0;
        for i in 0..100_usize {
            let seq = 65_500_u16.wrapping_add(i as u16);
            let a = varied_rtp(rng, i, seq, 0x1234_5678);
            let srtp = peers.protect_rtp_both(&a);
            peers.unprotect_rtp_both(&srtp, &a);
            sent += 1;
            if i % 3 == 0 {
                let b = varied_rtp(rng, i + 1, 30_000 + i as u16, 0xcafe_f00d);
                let srtp = peers.protect_rtp_both(&b);
                peers.unprotect_rtp_both(&srtp, &b);
                sent += 1;
            }
            if i % 10 == 0 {
                let c = varied_rtp(rng, i + 2, 65_535_u16.wrapping_add(i as u16 / 10), 7);
                let srtp = peers.protect_rtp_both(&c);
                peers.unprotect_rtp_both(&srtp, &c);
                sent += 1;
            }
        }
        assert_eq!(sent, 144);
        assert_eq!(peers.rx.stats(), Default::default(), "{}", peers.name());
        println!(
            "{}: {sent} RTP packets identical to {}'s",
            peers.name(),
            peers.lib.version
        );
    });
}

/// SRTCP compounds from two SSRCs, both directions, identical bytes.
#[test]
fn rtcp_byte_identical_both_directions() {
    for_each_profile(2, |tool, profile, rng| {
        let mut peers = Peers::new(tool, profile, rng);
        let name = peers.name();
        let senders = [(0x1234_5678_u32, true), (0x0bad_cafe_u32, false)];

        // libsrtp numbers SRTCP from 1 (srtp_rdb_increment before use), we from 0 as
        // RFC 3711 §3.3.1 says. Our index-0 packet must be accepted by libsrtp; after it
        // the two count in step and the bytes must match.
        for (ssrc, sr) in senders {
            let first = rtcp(rng, ssrc, sr, 0);
            let ours = peers.our_protect_rtcp(&first);
            assert_eq!(srtcp_index(profile, &ours), 0, "{name}");
            assert_eq!(
                peers.lib.unprotect_rtcp(&ours).map(|p| hex(&p)),
                Ok(hex(&first)),
                "{name}: libsrtp srtp_unprotect_rtcp of our SRTCP index 0 {}",
                hex(&ours)
            );
        }
        for n in 1..=12_u32 {
            for (ssrc, sr) in senders {
                let packet = rtcp(rng, ssrc, sr, n);
                let ours = peers.our_protect_rtcp(&packet);
                let theirs = peers.lib_protect_rtcp(&packet);
                assert_eq!(srtcp_index(profile, &theirs), n, "{name}: libsrtp's index");
                assert_eq!(srtcp_index(profile, &ours), n, "{name}: our index");
                assert_eq!(
                    hex(&ours),
                    hex(&theirs),
                    "{name}: SRTCP differs from libsrtp's (left: ours) for RTCP {}",
                    hex(&packet)
                );
                assert_eq!(
                    peers.lib.unprotect_rtcp(&ours).map(|p| hex(&p)),
                    Ok(hex(&packet)),
                    "{name}: libsrtp srtp_unprotect_rtcp of our SRTCP {}",
                    hex(&ours)
                );
                assert_eq!(
                    peers.our_unprotect_rtcp(&theirs).map(|p| hex(&p)),
                    Ok(hex(&packet)),
                    "{name}: our unprotect_rtcp of libsrtp's SRTCP {}",
                    hex(&theirs)
                );
            }
        }
        assert_eq!(peers.rx.stats(), Default::default(), "{name}");
    });
}

/// What a receiver said about a packet, comparable across the two implementations.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Accepted(String),
    Replayed,
    AuthenticationFailed,
}

fn ours_verdict(r: Result<Vec<u8>, Error>) -> Verdict {
    match r {
        Ok(p) => Verdict::Accepted(hex(&p)),
        Err(Error::Replayed) => Verdict::Replayed,
        Err(Error::AuthenticationFailed) => Verdict::AuthenticationFailed,
        Err(e) => panic!("unexpected error from our receiver: {e:?}"),
    }
}

fn lib_verdict(r: Result<Vec<u8>, i32>) -> Verdict {
    match r {
        Ok(p) => Verdict::Accepted(hex(&p)),
        Err(REPLAY_FAIL | REPLAY_OLD) => Verdict::Replayed,
        Err(AUTH_FAIL) => Verdict::AuthenticationFailed,
        Err(e) => panic!("unexpected error from libsrtp's receiver: {e}"),
    }
}

/// Replays: the same packet twice, an older one seen before, one older than the window;
/// a late in-window packet is accepted. RTP (across the wrap) and SRTCP.
#[test]
fn replays_rejected_by_both() {
    for_each_profile(3, |tool, profile, rng| {
        let mut peers = Peers::new(tool, profile, rng);
        let name = peers.name();

        // RTP: 80 packets from seq 65530 (packet 6 is seq 0 of ROC 1), 10 and 40 held
        // back.
        let seq = |i: usize| 65_530_u16.wrapping_add(i as u16);
        let packets: Vec<(Vec<u8>, Vec<u8>)> = (0..80_usize)
            .map(|i| {
                let p = varied_rtp(rng, i, seq(i), 0x5eed_0001);
                (peers.protect_rtp_both(&p), p)
            })
            .collect();
        let check = |peers: &mut Peers, i: usize, ours: Result<(), Error>, lib: Result<(), i32>| {
            let (srtp, p) = &packets[i];
            let got_lib = peers.lib.unprotect_rtp(srtp);
            let got_ours = peers.our_unprotect_rtp(srtp);
            assert_eq!(
                got_lib.map(|p| hex(&p)),
                lib.map(|()| hex(p)),
                "{name}: libsrtp, RTP packet {i} (seq {})",
                seq(i)
            );
            assert_eq!(
                got_ours.map(|p| hex(&p)),
                ours.map(|()| hex(p)),
                "{name}: ours, RTP packet {i} (seq {})",
                seq(i)
            );
        };
        for i in (0..=30).filter(|&i| i != 10) {
            check(&mut peers, i, Ok(()), Ok(()));
        }
        // The newest again; seen packets behind it, before and after the wrap.
        check(&mut peers, 30, Err(Error::Replayed), Err(REPLAY_FAIL));
        check(&mut peers, 5, Err(Error::Replayed), Err(REPLAY_FAIL));
        check(&mut peers, 0, Err(Error::Replayed), Err(REPLAY_FAIL));
        check(&mut peers, 6, Err(Error::Replayed), Err(REPLAY_FAIL));
        // A late packet (20 behind): accepted once, then a replay.
        check(&mut peers, 10, Ok(()), Ok(()));
        check(&mut peers, 10, Err(Error::Replayed), Err(REPLAY_FAIL));
        for i in (31..80).filter(|&i| i != 40) {
            check(&mut peers, i, Ok(()), Ok(()));
        }
        check(&mut peers, 79, Err(Error::Replayed), Err(REPLAY_FAIL));
        // A late packet 39 behind: accepted once, then a replay.
        check(&mut peers, 40, Ok(()), Ok(()));
        check(&mut peers, 40, Err(Error::Replayed), Err(REPLAY_FAIL));
        check(&mut peers, 16, Err(Error::Replayed), Err(REPLAY_FAIL));
        // 64 or more behind: older than the window, whether seen or not.
        check(&mut peers, 15, Err(Error::Replayed), Err(REPLAY_OLD));
        check(&mut peers, 5, Err(Error::Replayed), Err(REPLAY_OLD));
        // The stream goes on.
        let p = varied_rtp(rng, 80, seq(80), 0x5eed_0001);
        let srtp = peers.protect_rtp_both(&p);
        peers.unprotect_rtp_both(&srtp, &p);
        check(&mut peers, 17, Err(Error::Replayed), Err(REPLAY_FAIL));
        check(&mut peers, 16, Err(Error::Replayed), Err(REPLAY_OLD));

        // SRTCP: 150 packets each way (ours from index 0, libsrtp's from 1), 5 and 130
        // held back. libsrtp's SRTCP window is 128 wide, ours 64: packet 5 is too old for
        // both.
        let ssrc = 0x5eed_0002;
        let ours: Vec<(Vec<u8>, Vec<u8>)> = (0..150)
            .map(|n| {
                let p = rtcp(rng, ssrc, n % 2 == 0, n);
                (peers.our_protect_rtcp(&p), p)
            })
            .collect();
        let theirs: Vec<(Vec<u8>, Vec<u8>)> = (0..150)
            .map(|n| {
                let p = rtcp(rng, ssrc, n % 2 == 1, n);
                (peers.lib_protect_rtcp(&p), p)
            })
            .collect();
        let check_rtcp = |peers: &mut Peers, i: usize, ok: bool, lib_err: i32| {
            let (srtcp, p) = &ours[i];
            assert_eq!(
                peers.lib.unprotect_rtcp(srtcp).map(|p| hex(&p)),
                if ok { Ok(hex(p)) } else { Err(lib_err) },
                "{name}: libsrtp, our SRTCP packet {i}"
            );
            let (srtcp, p) = &theirs[i];
            assert_eq!(
                peers.our_unprotect_rtcp(srtcp).map(|p| hex(&p)),
                if ok { Ok(hex(p)) } else { Err(Error::Replayed) },
                "{name}: ours, libsrtp's SRTCP packet {i}"
            );
        };
        for i in 0..150 {
            if i != 5 && i != 130 {
                check_rtcp(&mut peers, i, true, 0);
            }
        }
        check_rtcp(&mut peers, 149, false, REPLAY_FAIL);
        check_rtcp(&mut peers, 130, true, 0);
        check_rtcp(&mut peers, 130, false, REPLAY_FAIL);
        check_rtcp(&mut peers, 120, false, REPLAY_FAIL);
        check_rtcp(&mut peers, 5, false, REPLAY_OLD);
        check_rtcp(&mut peers, 6, false, REPLAY_OLD);
    });
}

/// Every single-bit flip of a protected RTP and SRTCP packet is rejected by both; the
/// untouched packets are accepted afterwards (a rejection changes no state).
#[test]
fn tampered_packets_rejected_by_both() {
    for_each_profile(4, |tool, profile, rng| {
        let mut peers = Peers::new(tool, profile, rng);
        let name = peers.name();

        let p = rtp(rng, 40_000, 0x7a3b_0001, 2, Some(1), 24, 0);
        let header = 12 + 2 * 4 + 4 + 4;
        let srtp = peers.protect_rtp_both(&p);
        for bit in 0..8 * srtp.len() {
            let mut bad = srtp.clone();
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            let lib = peers.lib.unprotect_rtp(&bad);
            let ours = peers.our_unprotect_rtp(&bad);
            let what = format!("{name}: RTP with bit {bit} flipped: {}", hex(&bad));
            assert!(lib.is_err(), "libsrtp accepted {what}");
            assert!(ours.is_err(), "we accepted {what}");
            if bit / 8 >= header {
                assert_eq!(lib, Err(AUTH_FAIL), "libsrtp, {what}");
                assert_eq!(ours, Err(Error::AuthenticationFailed), "ours, {what}");
            }
        }
        peers.unprotect_rtp_both(&srtp, &p);

        let ssrc = 0x7a3b_0002;
        let _ = peers.our_protect_rtcp(&rtcp(rng, ssrc, true, 0)); // align: see above
        let p = rtcp(rng, ssrc, false, 1);
        let srtcp = peers.our_protect_rtcp(&p);
        assert_eq!(hex(&srtcp), hex(&peers.lib_protect_rtcp(&p)), "{name}");
        // The E flag's bit: flipping it claims an unencrypted packet. libsrtp refuses that
        // outright when its policy encrypts (srtp_err_status_cant_check) or fails
        // authentication; we fail authentication, or for the AEAD profiles do not support
        // it (module docs).
        let e_flag = 8 * if profile.is_aead() {
            srtcp.len() - 4
        } else {
            p.len()
        };
        for bit in 0..8 * srtcp.len() {
            let mut bad = srtcp.clone();
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            let lib = peers.lib.unprotect_rtcp(&bad);
            let ours = peers.our_unprotect_rtcp(&bad);
            let what = format!("{name}: SRTCP with bit {bit} flipped: {}", hex(&bad));
            assert!(lib.is_err(), "libsrtp accepted {what}");
            assert!(ours.is_err(), "we accepted {what}");
            if bit == e_flag {
                assert!(
                    matches!(lib, Err(AUTH_FAIL | CANT_CHECK)),
                    "libsrtp: {lib:?}, {what}"
                );
                assert!(
                    matches!(ours, Err(Error::AuthenticationFailed | Error::Unsupported)),
                    "ours: {ours:?}, {what}"
                );
            } else if bit >= 64 {
                assert_eq!(lib, Err(AUTH_FAIL), "libsrtp, {what}");
                assert_eq!(ours, Err(Error::AuthenticationFailed), "ours, {what}");
            }
        }
        assert_eq!(
            peers.lib.unprotect_rtcp(&srtcp).map(|p| hex(&p)),
            Ok(hex(&p)),
            "{name}: libsrtp, the untouched SRTCP"
        );
        assert_eq!(
            peers.our_unprotect_rtcp(&srtcp).map(|p| hex(&p)),
            Ok(hex(&p)),
            "{name}: ours, the untouched SRTCP"
        );
    });
}

/// A delivery order: the first packet first (it starts the receivers' stream), then every
/// packet once unless lost, some late (up to `max_delay` places), some twice.
fn schedule(rng: &mut Rng, n: usize, max_delay: u64) -> Vec<usize> {
    let mut keyed: Vec<(u64, u64, usize)> = vec![(0, 0, 0)];
    for i in 1..n {
        let r = rng.below(100);
        if r < 5 {
            continue; // lost
        }
        let delay = if r < 25 { 1 + rng.below(max_delay) } else { 0 };
        keyed.push((i as u64 + delay, rng.next(), i));
        if r >= 92 {
            keyed.push((i as u64 + rng.below(2 * max_delay + 1), rng.next(), i));
        }
    }
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

/// Reordered, duplicated and lost delivery (RTP across the wrap, SRTCP): the two
/// receivers agree on every packet.
#[test]
fn reordered_delivery_verdicts_agree() {
    for_each_profile(5, |tool, profile, rng| {
        for round in 0..3 {
            let mut peers = Peers::new(tool, profile, rng);
            let name = peers.name();
            let start = [65_400_u16, 32_700, 65_535][round];
            let ssrc = 0x0dd0_0000 + round as u32;
            let packets: Vec<(Vec<u8>, Vec<u8>)> = (0..300_usize)
                .map(|i| {
                    let p = varied_rtp(rng, i, start.wrapping_add(i as u16), ssrc);
                    (peers.protect_rtp_both(&p), p)
                })
                .collect();
            let mut accepted = 0;
            // Both may also fail authentication: a packet of ROC 1 that arrives before the
            // receivers have seen the wrap is taken for ROC 0 by both.
            for i in schedule(rng, packets.len(), 90) {
                let (srtp, p) = &packets[i];
                let lib = lib_verdict(peers.lib.unprotect_rtp(srtp));
                let ours = ours_verdict(peers.our_unprotect_rtp(srtp));
                assert_eq!(
                    ours,
                    lib,
                    "{name}: RTP packet {i} (seq {}), left ours, right libsrtp",
                    start.wrapping_add(i as u16)
                );
                if ours == Verdict::Accepted(hex(p)) {
                    accepted += 1;
                }
            }
            assert!(accepted > 200, "{name}: only {accepted} accepted");

            // SRTCP, ours to libsrtp (the delay keeps first deliveries inside both windows:
            // libsrtp's is 128 wide, ours 64).
            let packets: Vec<(Vec<u8>, Vec<u8>)> = (0..200)
                .map(|n| {
                    let p = rtcp(rng, ssrc, n % 3 != 0, n);
                    (peers.our_protect_rtcp(&p), p)
                })
                .collect();
            for i in schedule(rng, packets.len(), 30) {
                let (srtcp, p) = &packets[i];
                let lib = lib_verdict(peers.lib.unprotect_rtcp(srtcp));
                let ours = ours_verdict(peers.our_unprotect_rtcp(srtcp));
                assert_eq!(ours, lib, "{name}: SRTCP packet {i}, left ours");
                assert!(
                    ours == Verdict::Accepted(hex(p)) || ours == Verdict::Replayed,
                    "{name}: SRTCP packet {i}: {ours:?}"
                );
            }
        }
    });
}

/// SRTCP from an SSRC before its first RTP packet, which starts at a sequence number above
/// 32768 (half of all random initial ones). libsrtp handles it on both sides; rtcam gives
/// that first RTP packet ROC 0xFFFFFFFF (the stream SRTCP created has "highest sequence
/// number 0" and ROC 0, and the RFC 3711 appendix A guess underflows), so our receiver
/// fails authentication on everything from that SSRC and our sender's packets are
/// undecryptable by libsrtp, for good.
#[test]
fn srtcp_before_the_first_rtp_of_an_ssrc() {
    for_each_profile(6, |tool, profile, rng| {
        let mut peers = Peers::new(tool, profile, rng);
        let name = peers.name();
        let ssrc = 0x5151_0001;
        // Both senders send an SR first, both receivers take it.
        let sr = rtcp(rng, ssrc, true, 0);
        let ours = peers.our_protect_rtcp(&sr);
        let theirs = peers.lib_protect_rtcp(&sr);
        assert_eq!(
            peers.lib.unprotect_rtcp(&ours).map(|p| hex(&p)),
            Ok(hex(&sr))
        );
        assert_eq!(
            peers.our_unprotect_rtcp(&theirs).map(|p| hex(&p)),
            Ok(hex(&sr))
        );
        for seq in 40_000..40_005 {
            let p = rtp(rng, seq, ssrc, 0, None, 20, 0);
            // Receiving: libsrtp protects, we unprotect.
            let theirs = peers.lib_protect_rtp(&p);
            assert_eq!(
                peers.our_unprotect_rtp(&theirs).map(|p| hex(&p)),
                Ok(hex(&p)),
                "{name}: our receiver, libsrtp's SRTP {} after SRTCP from the SSRC",
                hex(&theirs)
            );
            // Sending: the same bytes as libsrtp's, which libsrtp's receiver takes.
            let ours = peers.our_protect_rtp(&p);
            assert_eq!(
                hex(&ours),
                hex(&theirs),
                "{name}: our sender after SRTCP from the SSRC (left: ours), RTP {}",
                hex(&p)
            );
            assert_eq!(peers.lib.unprotect_rtp(&ours).map(|p| hex(&p)), Ok(hex(&p)));
        }
    });
}

/// At ROC 0 with the highest sequence number below 32768, a packet more than 32768 ahead:
/// libsrtp takes it as a forward jump at ROC 0 (srtp_rdbx_estimate_index never guesses
/// ROC - 1 at ROC 0); rtcam follows RFC 3711 appendix A to the letter and guesses ROC
/// 0 - 1 = 0xFFFFFFFF, which can never be right. Sender and receiver both.
#[test]
fn forward_jump_over_half_the_sequence_space_at_roc_0() {
    for_each_profile(7, |tool, profile, rng| {
        let mut peers = Peers::new(tool, profile, rng);
        for seq in [100, 101, 40_000, 40_001, 65_535, 0, 1] {
            let p = rtp(rng, seq, 0x5151_0002, 0, None, 20, 0);
            let srtp = peers.protect_rtp_both(&p);
            peers.unprotect_rtp_both(&srtp, &p);
        }
    });
}
