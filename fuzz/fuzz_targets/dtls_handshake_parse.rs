//! Every DTLS handshake message parser on arbitrary bodies, and emit → parse round trips of
//! whatever parses: the re-parsed message must equal the first parse, and emitting it again
//! must give the same bytes. The first byte picks the message type.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_dtls_srtp::dtls::reassembly::Fragmenter;
use rtcam_dtls_srtp::dtls::wire::{
    HANDSHAKE_HEADER_LEN, Handshake, HandshakeFragments, HandshakeHeader, HandshakeType,
    HelloExtensions, HelloKind,
};

fuzz_target!(|data: &[u8]| run(data));

const TYPES: [u8; 13] = [0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 20, 99];

fn run(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let msg_type = HandshakeType(TYPES[usize::from(selector) % TYPES.len()]);
    let _ = HandshakeHeader::parse(body);
    let _ = HelloExtensions::parse(body, HelloKind::Client);
    let _ = HelloExtensions::parse(body, HelloKind::Server);
    for f in HandshakeFragments::new(body) {
        if f.is_err() {
            break;
        }
    }
    let Ok(msg) = Handshake::parse(msg_type, body) else {
        return;
    };
    let mut buf = vec![0u8; body.len() + 64];
    let n = msg.emit(7, &mut buf).expect("a parsed message emits");
    let header = HandshakeHeader::parse(&buf[..n]).expect("emitted header parses");
    assert!(header.is_complete());
    let again =
        Handshake::parse(msg_type, &buf[HANDSHAKE_HEADER_LEN..n]).expect("emitted body parses");
    assert_eq!(again, msg);
    let mut buf2 = vec![0u8; n];
    let n2 = again.emit(7, &mut buf2).expect("re-emit");
    assert_eq!(&buf2[..n2], &buf[..n]);
    // Fragmenting the emitted body covers it exactly.
    let body = &buf[HANDSHAKE_HEADER_LEN..n];
    let max = usize::from(selector) % 64 + 1;
    let mut covered = 0;
    for f in Fragmenter::new(msg_type, 7, body, max).expect("fragmenter") {
        assert_eq!(f.header.fragment_offset as usize, covered);
        covered += f.body.len();
    }
    assert_eq!(covered, body.len());
}
