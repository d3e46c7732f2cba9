//! One pass over a media section: its `rtpmap`/`fmtp`/`rtcp-fb` lines indexed by payload
//! type, and the single attributes negotiation reads (mid, direction, rtcp-mux, extmaps,
//! ssrcs, sctp) summarised — so answering reads each line once instead of once per
//! payload type or question (which made it 30× slower than parsing).

use crate::attribute::{Attribute, Direction, Fmtp, Rtpmap};
use crate::codec::{Codec, rtx_apt};
use crate::description::Media;
use crate::negotiate::{ExtensionIds, Feedback};
use crate::text::{Lines, dec_u8, dec_u32};

const NONE: u8 = u8::MAX;

/// Where each payload type's lines are (1 + their offset in the section; 0 = none), the
/// feedback each has, and which RTX payload type repairs which. ~1.3 KB, on the stack of
/// whoever negotiates.
pub(crate) struct PayloadIndex<'a> {
    body: &'a str,
    rtpmap: [u32; 128],
    fmtp: [u32; 128],
    feedback: [Feedback; 128],
    wildcard: Feedback,
    rtx: [u8; 128],
    /// The payload types carrying a codec rtcam handles, in the `m=` line's order.
    codecs: heapless::Vec<(u8, Codec), 64>,
    /// The section's single attributes.
    pub(crate) summary: Summary<'a>,
}

/// What negotiation asks of a section besides its payload types (first occurrences).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary<'a> {
    pub(crate) mid: Option<&'a str>,
    /// `sendrecv` when none is written.
    pub(crate) direction: Direction,
    pub(crate) rtcp_mux: bool,
    pub(crate) rtcp_rsize: bool,
    pub(crate) bundle_only: bool,
    /// The ids of the extensions rtcam implements (direction-restricted ones skipped).
    pub(crate) extensions: ExtensionIds,
    /// `a=ssrc-group:FID <media> <rtx>`.
    pub(crate) fid: Option<(Option<u32>, Option<u32>)>,
    /// The first `a=ssrc`.
    pub(crate) first_ssrc: Option<u32>,
    pub(crate) sctp_port: Option<u16>,
    pub(crate) max_message_size: Option<u64>,
}

impl Summary<'_> {
    fn note(&mut self, a: Attribute<'_>) {
        match a {
            Attribute::Direction(d) => self.direction = d,
            Attribute::RtcpMux => self.rtcp_mux = true,
            Attribute::RtcpRsize => self.rtcp_rsize = true,
            Attribute::Extmap(e) if e.direction.is_none() => {
                if let Some((_, slot)) = self.extensions.slot(e.uri) {
                    slot.get_or_insert(e.id);
                }
            }
            Attribute::SsrcGroup {
                semantics: "FID",
                ssrcs,
            } if self.fid.is_none() => {
                let mut it = ssrcs.iter().filter_map(dec_u32);
                self.fid = Some((it.next(), it.next()));
            }
            Attribute::Ssrc(s) => {
                self.first_ssrc.get_or_insert(s.ssrc);
            }
            Attribute::SctpPort(p) => {
                self.sctp_port.get_or_insert(p);
            }
            Attribute::MaxMessageSize(m) => {
                self.max_message_size.get_or_insert(m);
            }
            _ => {}
        }
    }
}

/// Attribute names [`Summary`] reads (compared before anything is parsed).
const SUMMARISED: [&str; 11] = [
    "sendrecv",
    "sendonly",
    "recvonly",
    "inactive",
    "rtcp-mux",
    "rtcp-rsize",
    "extmap",
    "ssrc-group",
    "ssrc",
    "sctp-port",
    "max-message-size",
];

impl<'a> PayloadIndex<'a> {
    pub(crate) fn new(m: &Media<'a>) -> Self {
        let body = m.body();
        let mut index = PayloadIndex {
            body,
            rtpmap: [0; 128],
            fmtp: [0; 128],
            feedback: [Feedback::NONE; 128],
            wildcard: Feedback::NONE,
            rtx: [NONE; 128],
            codecs: heapless::Vec::new(),
            summary: Summary {
                mid: None,
                direction: Direction::SendRecv,
                rtcp_mux: false,
                rtcp_rsize: false,
                bundle_only: false,
                extensions: ExtensionIds::default(),
                fid: None,
                first_ssrc: None,
                sctp_port: None,
                max_message_size: None,
            },
        };
        let mut direction_seen = false;
        for line in Lines::new(body, 1) {
            let Some(value) = line.text.strip_prefix("a=") else {
                continue;
            };
            let (slots, rest) = if let Some(rest) = value.strip_prefix("rtpmap:") {
                (Some(&mut index.rtpmap), rest)
            } else if let Some(rest) = value.strip_prefix("fmtp:") {
                (Some(&mut index.fmtp), rest)
            } else if value.starts_with("rtcp-fb:") {
                if let Ok(Attribute::RtcpFb(fb)) = Attribute::parse(value) {
                    let bits = Feedback::from_line(fb.kind, fb.parameter);
                    match fb
                        .payload_type
                        .and_then(|pt| index.feedback.get_mut(usize::from(pt)))
                    {
                        Some(slot) => *slot = slot.union(bits),
                        None => index.wildcard = index.wildcard.union(bits),
                    }
                }
                (None, "")
            } else {
                let name = value.split(':').next().unwrap_or("");
                if name == "mid" {
                    if let Ok(Attribute::Mid(mid)) = Attribute::parse(value) {
                        index.summary.mid.get_or_insert(mid);
                    }
                } else if name == "bundle-only" {
                    index.summary.bundle_only = true;
                } else if SUMMARISED.contains(&name) {
                    if let Ok(a) = Attribute::parse(value) {
                        // The first direction counts, as `Media::direction` reads it.
                        if matches!(a, Attribute::Direction(_)) {
                            if direction_seen {
                                continue;
                            }
                            direction_seen = true;
                        }
                        index.summary.note(a);
                    }
                }
                (None, "")
            };
            let Some(slots) = slots else { continue };
            let pt = rest.split(' ').next().and_then(dec_u8);
            let offset = u32::try_from(line.start)
                .ok()
                .and_then(|o| o.checked_add(1));
            if let (Some(slot), Some(offset)) =
                (pt.and_then(|pt| slots.get_mut(usize::from(pt))), offset)
            {
                if *slot == 0 {
                    *slot = offset;
                }
            }
        }
        for pt in m.line().payload_types() {
            let rtpmap = index.rtpmap(pt);
            let fmtp = index.fmtp(pt);
            if let Some(codec) = Codec::from_sdp(pt, rtpmap.as_ref(), fmtp.as_ref()) {
                // Beyond 64 codecs in one section, the rest are not considered.
                let _ = index.codecs.push((pt, codec));
            }
            let apt = rtpmap.and_then(|r| rtx_apt(&r, fmtp.as_ref()));
            if let Some(slot) = apt.and_then(|apt| index.rtx.get_mut(usize::from(apt))) {
                if *slot == NONE {
                    *slot = pt;
                }
            }
        }
        index
    }

    fn line(&self, table: &[u32; 128], pt: u8) -> Option<Attribute<'a>> {
        let offset = table.get(usize::from(pt)).copied().filter(|o| *o != 0)?;
        let rest = self.body.get(usize::try_from(offset - 1).ok()?..)?;
        let text = rest.split(['\r', '\n']).next()?;
        Attribute::parse(text.strip_prefix("a=")?).ok()
    }

    pub(crate) fn rtpmap(&self, pt: u8) -> Option<Rtpmap<'a>> {
        match self.line(&self.rtpmap, pt)? {
            Attribute::Rtpmap(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn fmtp(&self, pt: u8) -> Option<Fmtp<'a>> {
        match self.line(&self.fmtp, pt)? {
            Attribute::Fmtp(f) => Some(f),
            _ => None,
        }
    }

    /// The codec a payload type carries, if it is one rtcam handles.
    pub(crate) fn codec(&self, pt: u8) -> Option<Codec> {
        self.codecs.iter().find(|(p, _)| *p == pt).map(|(_, c)| *c)
    }

    /// The payload types with a codec rtcam handles, in the offerer's order.
    pub(crate) fn codecs(&self) -> impl Iterator<Item = (u8, Codec)> + '_ {
        self.codecs.iter().copied()
    }

    /// Whether a payload type is RTX.
    pub(crate) fn is_rtx(&self, pt: u8) -> bool {
        self.rtpmap(pt)
            .is_some_and(|r| rtx_apt(&r, self.fmtp(pt).as_ref()).is_some())
    }

    /// The RTX payload type repairing `apt`, if the section has one.
    pub(crate) fn rtx_for(&self, apt: u8) -> Option<u8> {
        self.rtx
            .get(usize::from(apt))
            .copied()
            .filter(|pt| *pt != NONE)
    }

    /// The feedback offered for a payload type (its own lines and `*`).
    pub(crate) fn feedback(&self, pt: u8) -> Feedback {
        self.feedback
            .get(usize::from(pt))
            .copied()
            .unwrap_or_default()
            .union(self.wildcard)
    }
}
