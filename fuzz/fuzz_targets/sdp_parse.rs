//! SDP parsing and answer generation on arbitrary text: whatever a peer sends over
//! signaling.
//!
//! Properties checked (beyond "never panics"):
//! - whatever parses can be emitted, and the emitted text parses to the same attributes;
//! - every attribute line of a parsed description reads back as a typed attribute;
//! - an answer (camera, storage session) or an offer-side read (viewer) either fails with
//!   an error or produces an answer that our own parser accepts, with one `m=` line per
//!   offered one, only offered payload types, and that fits any buffer it is written to or
//!   fails with `BufferTooSmall`;
//! - candidate JSON built from any parsed candidate reads back to the same candidate.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_sdp::{
    Attribute, Candidate, CandidateInit, Capabilities, Fingerprint, HashAlgorithm, Local,
    Negotiated, NegotiationError, Offer, Sdp, SendStream, SliceWriter,
};

fn local() -> Local<'static> {
    Local {
        session_id: 1,
        session_version: 1,
        ice_ufrag: "fuzz",
        ice_pwd: "fuzzfuzzfuzzfuzzfuzzfu",
        ice_lite: false,
        fingerprint: Fingerprint::new(HashAlgorithm::Sha256, &[1; 32]).unwrap(),
        cname: "c",
        stream_id: "s",
        video: Some(SendStream {
            track_id: "v",
            ssrc: 1,
            rtx_ssrc: 2,
        }),
        audio: Some(SendStream {
            track_id: "a",
            ssrc: 3,
            rtx_ssrc: 4,
        }),
        candidates: &[],
        end_of_candidates: true,
        relay_only: false,
        max_message_size: 65536,
    }
}

/// What survives writing a candidate: everything but the unknown extensions.
fn known(c: Candidate<'_>) -> Candidate<'_> {
    Candidate {
        unknown_extensions: 0,
        ..c
    }
}

fn all_attributes<'a>(sdp: &Sdp<'a>) -> Vec<Attribute<'a>> {
    let mut v: Vec<_> = sdp.attributes().collect();
    for m in sdp.media() {
        v.extend(m.attributes());
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(init) = CandidateInit::from_json(text) {
        let mut out = String::new();
        init.write_json(&mut out).unwrap();
        assert_eq!(
            CandidateInit::from_json(&out).unwrap().candidate,
            init.candidate.map(known)
        );
    }
    let Ok(sdp) = Sdp::<8>::parse(text) else {
        return;
    };
    let attrs = all_attributes(&sdp);
    let emitted = sdp.to_string();
    let again = Sdp::<8>::parse(&emitted).expect("emitted description parses");
    assert_eq!(all_attributes(&again), attrs);

    for m in sdp.media() {
        for c in m.candidates() {
            let init = CandidateInit {
                candidate: Some(c),
                sdp_mid: m.mid(),
                sdp_mline_index: Some(0),
                username_fragment: None,
            };
            let mut json = String::new();
            init.write_json(&mut json).unwrap();
            assert_eq!(
                CandidateInit::from_json(&json).unwrap().candidate,
                Some(known(c)),
                "{json}"
            );
        }
    }

    for caps in [Capabilities::CAMERA, Capabilities::STORAGE_SESSION] {
        let Ok(neg) = Negotiated::<8>::answer(&sdp, &caps) else {
            continue;
        };
        let mut buf = [0u8; 16 * 1024];
        let mut w = SliceWriter::new(&mut buf);
        match neg.write_answer(&local(), &mut w) {
            Ok(()) => {}
            Err(NegotiationError::BufferTooSmall) => continue,
            Err(e) => panic!("{e}"),
        }
        let answer_text = w.as_str();
        let answer = Sdp::<8>::parse(answer_text).expect("our answer parses");
        assert_eq!(answer.media_count(), sdp.media_count());
        for (o, a) in sdp.media().zip(answer.media()) {
            if a.line().port != 0 && a.line().is_rtp() {
                for pt in a.line().payload_types() {
                    assert!(o.line().payload_types().any(|p| p == pt));
                }
            }
        }
        let mut small = [0u8; 256];
        let mut w = SliceWriter::new(&mut small);
        let r = neg.write_answer(&local(), &mut w);
        assert!(r.is_ok() || r == Err(NegotiationError::BufferTooSmall));
    }

    // As a viewer, read the text as the answer to our offer.
    if let Ok(offer) = Offer::<8>::new(&Capabilities::VIEWER) {
        let _ = Negotiated::<8>::from_answer(&sdp, &offer, &Capabilities::VIEWER);
    }
});
