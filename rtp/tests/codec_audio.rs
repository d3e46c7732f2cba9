//! Opus and G.711 payloaders, Opus sample counting and the RTP clock helpers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::time::Duration;

use rtcam_rtp::codec::audio::{G711Payloader, OpusPayloader, opus_depayload, opus_samples};
use rtcam_rtp::codec::{Clock, Error, max_payload};

#[test]
fn opus_is_one_packet_per_payload() {
    let p = OpusPayloader::new(10);
    let mut out = [0u8; 16];
    let m = p.payload_into(&[0x78, 1, 2], &mut out).unwrap();
    assert_eq!((m.len, m.marker, m.timestamp_offset), (3, false, 0));
    assert_eq!(out[..3], [0x78, 1, 2]);
    assert_eq!(
        p.payload_into(&[0; 11], &mut out),
        Err(Error::FrameTooLarge)
    );
    assert_eq!(p.payload_into(&[], &mut out), Err(Error::EmptyFrame));
    assert_eq!(
        p.payload_into(&[1; 5], &mut out[..4]),
        Err(Error::BufferTooSmall)
    );
    assert_eq!(opus_depayload(&[0x78, 1]), Ok(&[0x78, 1][..]));
    assert_eq!(opus_depayload(&[]), Err(Error::Truncated));
}

#[test]
fn opus_sample_counts() {
    // config << 3 | stereo << 2 | code.
    assert_eq!(opus_samples(&[1 << 3]), Ok(960)); // SILK NB 20 ms
    assert_eq!(opus_samples(&[3 << 3]), Ok(2880)); // SILK NB 60 ms
    assert_eq!(opus_samples(&[0]), Ok(480)); // SILK NB 10 ms
    assert_eq!(opus_samples(&[13 << 3]), Ok(960)); // hybrid 20 ms
    assert_eq!(opus_samples(&[16 << 3]), Ok(120)); // CELT 2.5 ms
    assert_eq!(opus_samples(&[(31 << 3) | 1]), Ok(1920)); // CELT 20 ms, two frames
    assert_eq!(opus_samples(&[(31 << 3) | 3, 6]), Ok(5760)); // code 3, six frames
    assert_eq!(opus_samples(&[(31 << 3) | 3]), Err(Error::Truncated));
    assert_eq!(opus_samples(&[]), Err(Error::Truncated));
}

#[test]
fn g711_cuts_20ms_packets_with_timestamp_offsets() {
    let samples: Vec<u8> = (0..500u32).map(|i| i as u8).collect();
    let p = G711Payloader::new(1188);
    let mut f = p.frame(&samples).unwrap();
    let mut out = [0u8; 1188];
    let mut got = Vec::new();
    while let Some(m) = f.next_into(&mut out).unwrap() {
        assert!(!m.marker);
        got.push((m.timestamp_offset, out[..m.len].to_vec()));
    }
    let offsets: Vec<u32> = got.iter().map(|g| g.0).collect();
    assert_eq!(offsets, [0, 160, 320, 480]);
    assert_eq!(
        got.iter().map(|g| g.1.len()).collect::<Vec<_>>(),
        [160, 160, 160, 20]
    );
    assert_eq!(got.concat_bytes(), samples);
    // max_payload caps the chunk.
    let mut f = G711Payloader::new(100)
        .with_packet_samples(240)
        .frame(&samples)
        .unwrap();
    assert_eq!(f.next_into(&mut out).unwrap().unwrap().len, 100);
    assert_eq!(
        G711Payloader::new(0).frame(&samples).err(),
        Some(Error::MaxPayloadTooSmall)
    );
    assert_eq!(p.frame(&[]).err(), Some(Error::EmptyFrame));
}

trait ConcatBytes {
    fn concat_bytes(&self) -> Vec<u8>;
}

impl ConcatBytes for Vec<(u32, Vec<u8>)> {
    fn concat_bytes(&self) -> Vec<u8> {
        self.iter().flat_map(|g| g.1.iter().copied()).collect()
    }
}

#[test]
fn clocks() {
    assert_eq!(Clock::VIDEO.ticks(Duration::from_secs(2)), 180_000);
    // Truncates: 1/30 s is 2999.99997 ticks.
    assert_eq!(Clock::VIDEO.ticks(Duration::from_secs(1) / 30), 2999);
    assert_eq!(Clock::VIDEO.ticks_from_micros(33_333), 2999);
    assert_eq!(Clock::OPUS.ticks(Duration::from_millis(20)), 960);
    assert_eq!(Clock::G711.ticks(Duration::from_millis(20)), 160);
    assert_eq!(Clock::G711.rate(), 8000);
    // Wraps modulo 2^32 without overflow: 2^32 / 90000 s is about 13.25 hours.
    let day = Duration::from_secs(86_400);
    assert_eq!(
        Clock::VIDEO.ticks(day),
        (86_400u64 * 90_000 % (1 << 32)) as u32
    );
    assert_eq!(Clock::VIDEO.ticks_from_micros(u64::MAX), {
        let t = u128::from(u64::MAX) * 90_000 / 1_000_000;
        (t % (1 << 32)) as u32
    });
    assert_eq!(
        Clock::VIDEO.timestamp(u32::MAX, Duration::from_millis(1)),
        89
    );
    assert_eq!(Clock::new(1000).ticks(Duration::from_nanos(999_999)), 0);
    assert_eq!(max_payload(1200, 0, 10), 1150);
    assert_eq!(max_payload(30, 0, 0), 0);
}
