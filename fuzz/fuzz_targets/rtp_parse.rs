//! Arbitrary bytes into the RTP parser: the checked `Packet` view, the RFC 8285 element
//! iterator, the `Header` Repr and its emit → re-parse round trip.
//!
//! Properties checked (beyond "never panics"):
//! - the view's header, padding and payload lengths add up to the packet;
//! - the element iterator stays inside the extension block, and agrees with `Header`;
//! - whatever `Header::parse_packet` accepts, `emit_packet` writes into an exactly sized
//!   buffer (and not into one byte less), and re-parsing gives the same header, payload and
//!   padding; the second emit is byte-identical;
//! - the typed extension decoders never panic, and what decodes re-encodes identically.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::{Error, Extension, ExtensionKind, ExtensionValue, Header, Packet};

fuzz_target!(|data: &[u8]| check(data));

fn check(data: &[u8]) {
    let Ok(p) = Packet::new_checked(data) else {
        assert!(Header::parse_packet(data).is_err());
        return;
    };
    assert_eq!(p.version(), 2);
    let (hl, pad, payload) = (p.header_len(), p.padding_len(), p.payload());
    assert_eq!(hl + payload.len() + pad, data.len());
    assert_eq!(p.csrcs().count(), usize::from(p.csrc_count()));
    let _ = (
        p.marker(),
        p.payload_type(),
        p.sequence_number(),
        p.timestamp(),
        p.ssrc(),
    );

    let elements = p.extension_elements();
    if let Ok(Some(iter)) = &elements {
        let (_, body) = p.extension().expect("extension present");
        for e in iter.clone() {
            assert!(e.id != 0);
            assert!(e.data.len() <= body.len());
            for kind in ExtensionKind::ALL {
                if let Ok(v) = ExtensionValue::decode(kind, e.data) {
                    let mut buf = [0u8; 256];
                    let n = v.encode(&mut buf).expect("decoded value encodes");
                    assert_eq!(ExtensionValue::decode(kind, &buf[..n]), Ok(v));
                }
            }
        }
    }

    let (header, payload2) = match Header::parse_packet(data) {
        Ok(x) => x,
        Err(Error::BadExtension) => {
            assert!(elements.is_err());
            return;
        }
        Err(Error::TooManyExtensions) => {
            assert!(elements.expect("valid list").expect("rfc 8285").count() > 16);
            return;
        }
        Err(e) => panic!("view accepted, Repr refused: {e:?}"),
    };
    assert_eq!(payload2, payload);
    assert_eq!(header.marker, p.marker());
    assert_eq!(header.sequence_number, p.sequence_number());
    assert_eq!(&header.csrcs[..], &p.csrcs().collect::<Vec<_>>()[..]);
    match (&header.extension, elements) {
        (None, Ok(None)) => assert!(!p.has_extension()),
        (Some(Extension::Raw { profile, data }), Ok(None)) => {
            assert_eq!(Some((*profile, *data)), p.extension());
        }
        (Some(Extension::Elements(list)), Ok(Some(iter))) => {
            assert!(list.iter().copied().eq(iter));
        }
        other => panic!("view and Repr disagree: {other:?}"),
    }

    // Emit and parse back. Padding is at most 255 in the count byte.
    let pad = u8::try_from(pad).expect("padding count is one byte");
    let len = header.buffer_len() + payload.len() + usize::from(pad);
    let mut out = vec![0u8; len];
    let n = header
        .emit_packet(payload, pad, &mut out)
        .unwrap_or_else(|e| panic!("parsed header does not emit: {e:?}\n{header:?}"));
    assert_eq!(n, len);
    assert!(n <= data.len(), "emit grew the packet");
    assert_eq!(
        header.emit_packet(payload, pad, &mut out.clone()[..n - 1]),
        Err(Error::BufferTooSmall { needed: n })
    );
    let (again, payload3) = Header::parse_packet(&out).expect("emitted packet parses");
    assert_eq!(again, header);
    assert_eq!(payload3, payload);
    assert_eq!(
        Packet::new_checked(&out[..])
            .expect("checked")
            .padding_len(),
        usize::from(pad)
    );
    let mut second = vec![0u8; n];
    again
        .emit_packet(payload3, pad, &mut second)
        .expect("second emit");
    assert_eq!(second, out);
}
