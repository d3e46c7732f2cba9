//! Our payloaders and depayloaders against GStreamer's (1.22, Debian 12), on loopback.
//!
//! For each codec, GStreamer encodes a short test clip (videotestsrc/audiotestsrc through
//! x264enc, x265enc, vp8enc, opusenc), written one encoder buffer per file by
//! `multifilesink` (one access unit / frame / Opus packet each), and in the same pipeline
//! payloads it with its own payloader (`tee`) to a UDP socket of ours, paced at 5 ms a
//! frame (`identity sleep-time`) so that no loopback datagram is lost. The pattern is
//! `snow` (`ball` for H.265) so that frames are large and fragmented. Then:
//!
//! - GStreamer -> us: our depayloader must rebuild every source frame exactly, in order,
//!   with the right keyframe flags. H.264/H.265 are compared as lists of NAL units (our
//!   output always uses 4-byte start codes, the encoders mix 3- and 4-byte ones). The
//!   payloaders run with `config-interval=0`, so GStreamer inserts no parameter sets of its
//!   own and the comparison is exact; `aggregate-mode=zero-latency` makes them send
//!   STAP-A/AP packets, and the encoders are set to emit several slices (H.264/H.265) or
//!   token partitions (VP8) per frame, so every packet kind is exercised.
//! - us -> GStreamer: our payloaders packetize the same files into RTP (the crate's own
//!   header, PT 96/111) sent to a `gst-launch-1.0` receiver (`udpsrc ! rtpjitterbuffer !
//!   rtp*depay ! decoder ! filesink`) that writes raw decoded frames; the number of frames
//!   (file size / frame size; for Opus, samples) must equal what we sent.
//!
//! The tests fail (they do not skip) when GStreamer is missing: scripts/install.sh
//! installs it.

#![cfg(not(any(target_arch = "mips", target_arch = "mips64")))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod gst;

use std::net::UdpSocket;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rtcam_rtp::codec::audio::{OpusPayloader, opus_depayload, opus_samples};
use rtcam_rtp::codec::h264::{self, H264Depayloader, H264Payloader};
use rtcam_rtp::codec::h265::{self, H265Depayloader, H265Payloader};
use rtcam_rtp::codec::vp8::{self, Vp8Depayloader, Vp8Payloader};
use rtcam_rtp::codec::{Event, PayloadMeta, RtpPayload};
use rtcam_rtp::{Header, Packet};

const WIDTH: usize = 320;
const HEIGHT: usize = 240;
const FRAMES: usize = 60;
/// I420: what every decoder here outputs for these clips.
const FRAME_BYTES: usize = WIDTH * HEIGHT * 3 / 2;
const MTU: usize = 1200;
const SSRC: u32 = 0x5eed_cafe;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Codec {
    H264,
    H265,
    Vp8,
    Opus,
}

impl Codec {
    fn name(self) -> &'static str {
        match self {
            Codec::H264 => "h264",
            Codec::H265 => "h265",
            Codec::Vp8 => "vp8",
            Codec::Opus => "opus",
        }
    }

    /// Source and encoder, ending in the caps of one frame per buffer.
    fn encoder(self) -> String {
        // Noise makes large, fragmented frames; H.265 compresses it into slices that are
        // all too large to aggregate, so its clip is the moving ball (small P slices).
        let pattern = if self == Codec::H265 { "ball" } else { "snow" };
        let video = format!(
            "videotestsrc num-buffers={FRAMES} pattern={pattern} ! \
             video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate=30/1 !"
        );
        match self {
            Codec::H264 => format!(
                "{video} x264enc key-int-max=30 speed-preset=ultrafast tune=zerolatency \
                 bitrate=2000 aud=true option-string=slices=4 ! \
                 video/x-h264,stream-format=byte-stream,alignment=au"
            ),
            Codec::H265 => format!(
                "{video} x265enc key-int-max=30 speed-preset=ultrafast tune=zerolatency \
                 bitrate=2000 option-string=slices=4 ! \
                 video/x-h265,stream-format=byte-stream,alignment=au"
            ),
            Codec::Vp8 => format!(
                "{video} vp8enc deadline=1 keyframe-max-dist=30 target-bitrate=2000000 \
                 token-partitions=2"
            ),
            Codec::Opus => "audiotestsrc num-buffers=50 samplesperbuffer=960 wave=sine ! \
                 audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 bitrate=64000"
                .to_owned(),
        }
    }

    /// GStreamer's payloader, configured as the module docs explain.
    fn gst_payloader(self) -> &'static str {
        match self {
            Codec::H264 => {
                "rtph264pay pt=96 mtu=1200 config-interval=0 aggregate-mode=zero-latency"
            }
            Codec::H265 => {
                "rtph265pay pt=96 mtu=1200 config-interval=0 aggregate-mode=zero-latency"
            }
            Codec::Vp8 => "rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit",
            Codec::Opus => "rtpopuspay pt=111 mtu=1200",
        }
    }

    /// udpsrc caps and the depayloader + decoder chain of the receiving pipeline.
    fn gst_receiver(self) -> (String, &'static str) {
        let video = |name: &str| {
            format!(
                "application/x-rtp,media=video,encoding-name={name},clock-rate=90000,payload=96"
            )
        };
        match self {
            Codec::H264 => (
                video("H264"),
                "rtph264depay ! h264parse ! avdec_h264 ! video/x-raw,format=I420",
            ),
            Codec::H265 => (
                video("H265"),
                "rtph265depay ! h265parse ! avdec_h265 ! video/x-raw,format=I420",
            ),
            Codec::Vp8 => (
                video("VP8"),
                "rtpvp8depay ! vp8dec ! video/x-raw,format=I420",
            ),
            Codec::Opus => (
                "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111"
                    .to_owned(),
                "rtpopusdepay ! opusdec plc=false ! audioconvert ! \
                 audio/x-raw,format=S16LE,channels=1,rate=48000",
            ),
        }
    }
}

/// Encodes the clip; returns the source frames and the packets GStreamer's payloader sent
/// to our socket.
fn encode(codec: Codec, dir: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let frames_dir = dir.join("frames");
    std::fs::create_dir_all(&frames_dir).unwrap();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let (done_tx, done_rx) = mpsc::channel();
    let rx = thread::spawn(move || gst::receive_all(sock, done_rx));
    gst::run(&format!(
        "{} ! tee name=t \
         t. ! queue ! multifilesink location={}/%05d.bin \
         t. ! queue ! identity sleep-time=5000 ! {} ! udpsink host=127.0.0.1 port={port} sync=false",
        codec.encoder(),
        frames_dir.display(),
        codec.gst_payloader(),
    ));
    done_tx.send(()).unwrap();
    let packets = rx.join().unwrap();
    let frames = gst::read_sorted(&frames_dir);
    assert!(
        !frames.is_empty(),
        "{}: the encoder wrote no frames",
        codec.name()
    );
    (frames, packets)
}

/// The NAL units of an Annex-B access unit (the same splitting for H.264 and H.265).
fn nal_list(annex_b: &[u8]) -> Vec<Vec<u8>> {
    h264::nal_units(annex_b)
        .unwrap()
        .map(<[u8]>::to_vec)
        .collect()
}

fn is_keyframe(codec: Codec, frame: &[u8]) -> bool {
    match codec {
        Codec::H264 => h264::is_keyframe(frame),
        Codec::H265 => h265::is_keyframe(frame),
        Codec::Vp8 => vp8::is_keyframe(frame),
        Codec::Opus => false,
    }
}

/// Packet kinds seen, to prove every kind was exercised.
#[derive(Debug, Default)]
struct Kinds {
    single: usize,
    aggregate: usize,
    fragment: usize,
    /// VP8: packets that continue a frame or partition (S=0 or PID>0).
    continuation: usize,
}

impl Kinds {
    fn count(&mut self, codec: Codec, payload: &[u8]) {
        match codec {
            Codec::H264 => match payload[0] & 0x1f {
                24 => self.aggregate += 1,
                28 => self.fragment += 1,
                _ => self.single += 1,
            },
            Codec::H265 => match (payload[0] >> 1) & 0x3f {
                48 => self.aggregate += 1,
                49 => self.fragment += 1,
                _ => self.single += 1,
            },
            Codec::Vp8 => {
                let d = vp8::Descriptor::parse(payload).unwrap();
                if d.start && d.partition == 0 {
                    self.single += 1;
                } else {
                    self.continuation += 1;
                }
            }
            Codec::Opus => self.single += 1,
        }
    }

    fn check(&self, codec: Codec) {
        let ok = match codec {
            Codec::H264 | Codec::H265 => self.single > 0 && self.aggregate > 0 && self.fragment > 0,
            Codec::Vp8 => self.continuation > 0,
            Codec::Opus => true,
        };
        assert!(
            ok,
            "{}: not every packet kind was exercised: {self:?}",
            codec.name()
        );
    }
}

/// GStreamer's payloader -> our depayloader: every frame back, exactly.
fn gstreamer_to_us(codec: Codec) {
    let t0 = Instant::now();
    let dir = gst::TempDir::new(codec.name());
    let (frames, packets) = encode(codec, dir.path());
    assert!(
        !packets.is_empty(),
        "{}: no RTP packets arrived",
        codec.name()
    );

    let mut got: Vec<(Vec<u8>, u32, bool)> = Vec::new();
    let mut h264d = H264Depayloader::new(vec![0u8; 1 << 20]);
    let mut h265d = H265Depayloader::new(vec![0u8; 1 << 20]);
    let mut vp8d = Vp8Depayloader::new(vec![0u8; 1 << 20]);
    let mut sizes = (usize::MAX, 0);
    let mut kinds = Kinds::default();
    let mut last_seq: Option<u16> = None;
    for bytes in &packets {
        let view = Packet::new_checked(bytes.as_slice()).unwrap();
        if let Some(l) = last_seq {
            assert_eq!(
                view.sequence_number(),
                l.wrapping_add(1),
                "loopback lost/reordered"
            );
        }
        last_seq = Some(view.sequence_number());
        sizes = (sizes.0.min(bytes.len()), sizes.1.max(bytes.len()));
        let p = RtpPayload::from_packet(&view);
        kinds.count(codec, p.payload);
        let mut take = |e: Event<'_>| match e {
            Event::Frame(f) => got.push((f.data.to_vec(), f.timestamp, f.keyframe)),
            Event::Dropped(d) => panic!("{}: frame dropped: {d:?}", codec.name()),
        };
        match codec {
            Codec::H264 => {
                h264d.push(p).unwrap();
                while let Some(e) = h264d.poll() {
                    take(e);
                }
            }
            Codec::H265 => {
                h265d.push(p).unwrap();
                while let Some(e) = h265d.poll() {
                    take(e);
                }
            }
            Codec::Vp8 => {
                vp8d.push(p).unwrap();
                while let Some(e) = vp8d.poll() {
                    take(e);
                }
            }
            Codec::Opus => got.push((
                opus_depayload(p.payload).unwrap().to_vec(),
                p.timestamp,
                false,
            )),
        }
    }
    assert!(
        sizes.1 <= MTU,
        "GStreamer sent a {}-byte packet over mtu {MTU}",
        sizes.1
    );
    assert_eq!(
        got.len(),
        frames.len(),
        "{}: rebuilt {} frames from {} packets, the encoder made {}",
        codec.name(),
        got.len(),
        packets.len(),
        frames.len()
    );
    let mut keyframes = 0;
    for (i, (src, (ours, _ts, key))) in frames.iter().zip(&got).enumerate() {
        match codec {
            Codec::H264 | Codec::H265 => {
                assert_eq!(nal_list(ours), nal_list(src), "{} frame {i}", codec.name());
            }
            _ => assert_eq!(ours, src, "{} frame {i}", codec.name()),
        }
        assert_eq!(
            *key,
            is_keyframe(codec, src),
            "{} frame {i} keyframe flag",
            codec.name()
        );
        keyframes += usize::from(*key);
    }
    if codec != Codec::Opus {
        assert_eq!(keyframes, 2, "{}: key-int 30 over 60 frames", codec.name());
    }
    kinds.check(codec);
    let ts: Vec<u32> = got.iter().map(|g| g.1).collect();
    assert!(
        ts.windows(2).all(|w| w[1] != w[0]),
        "one timestamp per frame"
    );
    eprintln!(
        "{}: GStreamer -> rtcam: {} packets ({}..={} bytes; {kinds:?}) -> {} frames, all identical ({:?})",
        codec.name(),
        packets.len(),
        sizes.0,
        sizes.1,
        got.len(),
        t0.elapsed()
    );
}

/// Our payloader -> GStreamer's depayloader and decoder: every frame decodes.
fn us_to_gstreamer(codec: Codec) {
    let t0 = Instant::now();
    let dir = gst::TempDir::new(codec.name());
    let (frames, _) = encode(codec, dir.path());
    let out = dir.path().join("decoded.raw");
    let port = gst::free_port();
    let (caps, chain) = codec.gst_receiver();
    let receiver = gst::Live::start(&format!(
        "udpsrc address=127.0.0.1 port={port} caps={caps} ! rtpjitterbuffer latency=500 ! \
         {chain} ! filesink location={}",
        out.display()
    ));

    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.connect(("127.0.0.1", port)).unwrap();
    // Plain RTP, like GStreamer's `mtu=1200`: the whole RTP packet is at most MTU bytes.
    let max = MTU - 12;
    let pt = if codec == Codec::Opus { 111 } else { 96 };
    let mut seq: u16 = 65_500; // wraps during the clip
    let mut ts: u32 = 0xffff_0000; // so does the timestamp
    let mut h264p = H264Payloader::new(max);
    let mut h265p = H265Payloader::new(max);
    let mut vp8p = Vp8Payloader::new(max).with_picture_id(0x7ff0);
    let opusp = OpusPayloader::new(max);
    let mut payload = vec![0u8; max];
    let mut datagram = vec![0u8; MTU];
    let mut packets = 0;
    let mut samples: u64 = 0;
    for frame in &frames {
        let mut send = |meta: PayloadMeta, payload: &[u8], seq: &mut u16| {
            let mut h = Header::new(pt, *seq, ts.wrapping_add(meta.timestamp_offset), SSRC);
            h.marker = meta.marker;
            let n = h
                .emit_packet(&payload[..meta.len], 0, &mut datagram)
                .unwrap();
            assert!(n <= MTU);
            sock.send(&datagram[..n]).unwrap();
            *seq = seq.wrapping_add(1);
            packets += 1;
            if packets % 8 == 0 {
                thread::sleep(Duration::from_micros(500));
            }
        };
        match codec {
            Codec::H264 => {
                let mut f = h264p.frame(frame).unwrap();
                while let Some(m) = f.next_into(&mut payload).unwrap() {
                    send(m, &payload, &mut seq);
                }
            }
            Codec::H265 => {
                let mut f = h265p.frame(frame).unwrap();
                while let Some(m) = f.next_into(&mut payload).unwrap() {
                    send(m, &payload, &mut seq);
                }
            }
            Codec::Vp8 => {
                let mut f = vp8p.frame(frame).unwrap();
                while let Some(m) = f.next_into(&mut payload).unwrap() {
                    send(m, &payload, &mut seq);
                }
            }
            Codec::Opus => {
                let m = opusp.payload_into(frame, &mut payload).unwrap();
                send(m, &payload, &mut seq);
            }
        }
        let step = match codec {
            Codec::Opus => opus_samples(frame).unwrap(),
            _ => 3000,
        };
        samples += u64::from(step);
        ts = ts.wrapping_add(step);
        thread::sleep(Duration::from_millis(2));
    }
    // Let the last packets through udpsrc and the jitter buffer's 500 ms before the
    // end-of-stream (a loaded machine, e.g. CI, schedules the receiver late).
    thread::sleep(Duration::from_millis(900));
    receiver.stop();

    let decoded = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as usize;
    match codec {
        Codec::Opus => {
            let decoded_samples = decoded / 2;
            assert_eq!(
                decoded_samples as u64,
                samples,
                "opus: sent {} packets ({samples} samples), GStreamer decoded {decoded_samples} samples",
                frames.len()
            );
        }
        _ => {
            assert_eq!(
                decoded % FRAME_BYTES,
                0,
                "{}: partial frame decoded",
                codec.name()
            );
            assert_eq!(
                decoded / FRAME_BYTES,
                frames.len(),
                "{}: sent {} frames in {packets} packets, GStreamer decoded {}",
                codec.name(),
                frames.len(),
                decoded / FRAME_BYTES
            );
        }
    }
    eprintln!(
        "{}: rtcam -> GStreamer: {} frames in {packets} packets, all decoded ({:?})",
        codec.name(),
        frames.len(),
        t0.elapsed()
    );
}

#[test]
fn h264_gstreamer_payloader_to_our_depayloader() {
    gstreamer_to_us(Codec::H264);
}

#[test]
fn h264_our_payloader_to_gstreamer_decoder() {
    us_to_gstreamer(Codec::H264);
}

#[test]
fn h265_gstreamer_payloader_to_our_depayloader() {
    gstreamer_to_us(Codec::H265);
}

#[test]
fn h265_our_payloader_to_gstreamer_decoder() {
    us_to_gstreamer(Codec::H265);
}

#[test]
fn vp8_gstreamer_payloader_to_our_depayloader() {
    gstreamer_to_us(Codec::Vp8);
}

#[test]
fn vp8_our_payloader_to_gstreamer_decoder() {
    us_to_gstreamer(Codec::Vp8);
}

#[test]
fn opus_gstreamer_payloader_to_our_depayloader() {
    gstreamer_to_us(Codec::Opus);
}

#[test]
fn opus_our_payloader_to_gstreamer_decoder() {
    us_to_gstreamer(Codec::Opus);
}
