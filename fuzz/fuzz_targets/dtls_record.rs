//! Arbitrary datagrams through the DTLS receive path: records (also mutably, then an open
//! attempt with fixed keys, which must never authenticate forged bytes), handshake
//! fragments, a bounded reassembler, and the message parsers on whatever completes.
//! Never panics; the reassembler never hands out more than its buffer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_dtls_srtp::dtls::reassembly::Reassembler;
use rtcam_dtls_srtp::dtls::record_crypto::{Aead, RecordProtection};
use rtcam_dtls_srtp::dtls::replay::ReplayWindow;
use rtcam_dtls_srtp::dtls::wire::{
    Alert, ContentType, Handshake, HandshakeFragments, Records, RecordsMut,
    parse_change_cipher_spec,
};

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    // Small buffers and slot counts so the limits are reached.
    let mut reasm: Reassembler<2048, 4, 4> = Reassembler::new(0);
    let mut window = ReplayWindow::new(1);
    for record in Records::new(data) {
        let Ok(record) = record else { break };
        match record.header.content_type {
            ContentType::HANDSHAKE if record.header.epoch == 0 => {
                for frag in HandshakeFragments::new(record.fragment) {
                    let Ok(frag) = frag else { break };
                    let _ = reasm.insert(&frag);
                    while let Some(m) = reasm.next_message() {
                        assert!(m.body.len() <= 2048);
                        let _ = Handshake::parse(m.msg_type, m.body);
                        reasm.advance();
                    }
                }
            }
            ContentType::ALERT => {
                let _ = Alert::parse(record.fragment);
            }
            ContentType::CHANGE_CIPHER_SPEC => {
                let _ = parse_change_cipher_spec(record.fragment);
            }
            _ => {}
        }
        let (epoch, seq) = (record.header.epoch, record.header.sequence);
        if window.check(epoch, seq) {
            window.accept(epoch, seq);
            assert!(!window.check(epoch, seq), "a record accepted twice");
        }
    }
    // Protected records: the fuzzer cannot forge a GCM tag.
    let kb = [7u8; 40];
    let Ok((keys, _)) = RecordProtection::from_key_block(Aead::Aes128Gcm, &kb) else {
        return;
    };
    let mut copy = data.to_vec();
    for record in RecordsMut::new(&mut copy) {
        let Ok((header, fragment)) = record else {
            break;
        };
        if header.epoch != 0 {
            assert!(
                keys.open(&header, fragment).is_err(),
                "forged record authenticated"
            );
        }
    }
}
