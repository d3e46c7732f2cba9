//! Frame assembly shared by the depayloaders: sequence tracking, loss and marker rules,
//! the caller's frame storage and the events a receiver drains.

use super::{Error, RtpPayload};

/// A frame rebuilt exactly from its packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The frame: Annex-B with 4-byte start codes (H.264/H.265) or the raw VP8 frame.
    pub data: &'a [u8],
    /// The RTP timestamp all its packets carried.
    pub timestamp: u32,
    /// An IDR (H.264), IRAP (H.265) or key frame (VP8): a decoder can start here.
    pub keyframe: bool,
}

/// Why a frame could not be rebuilt: the receiver should count it and, after loss, ask for
/// a keyframe (PLI) rather than feed the decoder a damaged frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// A sequence number inside (or just before) the frame is missing.
    SequenceGap,
    /// A fragmented unit or VP8 frame continued without its start.
    FragmentStartMissing,
    /// A fragmented unit was not finished when the frame ended.
    FragmentEndMissing,
    /// The timestamp changed before the marker bit ended the frame.
    MarkerMissing,
    /// The frame outgrew the depayloader's storage.
    FrameBufferFull,
    /// A packet of the frame was malformed or of an unsupported type.
    Malformed,
}

/// A frame that was started but could not be rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// The RTP timestamp of the lost frame.
    pub timestamp: u32,
    /// The first thing that went wrong.
    pub reason: DropReason,
    /// Whether a keyframe's data was among what did arrive.
    pub keyframe: bool,
}

/// What a depayloader has to report after a `push`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A complete frame; its bytes are valid until the next `push`.
    Frame(Frame<'a>),
    /// A frame that was lost.
    Dropped(Dropped),
}

/// How far back (in sequence numbers) a packet counts as late rather than as a new
/// sequence (a sender restart).
const STALE_WINDOW: u16 = 3000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    InFrame,
    Ready,
}

/// The frame under construction in caller storage `B`.
#[derive(Debug)]
pub(crate) struct Assembler<B> {
    buf: B,
    len: usize,
    state: State,
    timestamp: u32,
    broken: Option<DropReason>,
    keyframe: bool,
    /// A fragmentation unit has started and not ended (H.264/H.265).
    pub(crate) fragment_open: bool,
    last_seq: Option<u16>,
    dropped: [Option<Dropped>; 2],
}

impl<B: AsMut<[u8]> + AsRef<[u8]>> Assembler<B> {
    pub(crate) fn new(buf: B) -> Self {
        Assembler {
            buf,
            len: 0,
            state: State::Idle,
            timestamp: 0,
            broken: None,
            keyframe: false,
            fragment_open: false,
            last_seq: None,
            dropped: [None; 2],
        }
    }

    fn push_dropped(&mut self, reason: DropReason) {
        let d = Dropped {
            timestamp: self.timestamp,
            reason: self.broken.unwrap_or(reason),
            keyframe: self.keyframe,
        };
        if let Some(slot) = self.dropped.iter_mut().find(|s| s.is_none()) {
            *slot = Some(d);
        } else if let Some(last) = self.dropped.last_mut() {
            // Only possible when the caller skipped `poll`: keep the newest.
            *last = Some(d);
        }
    }

    /// Accounts for a packet before its payload is parsed. Returns true when it starts a
    /// new frame.
    pub(crate) fn begin(&mut self, p: &RtpPayload<'_>) -> Result<bool, Error> {
        let gap = match self.last_seq {
            None => false,
            Some(last) => {
                let d = p.sequence_number.wrapping_sub(last);
                if d == 0 || d.wrapping_neg() <= STALE_WINDOW {
                    return Err(Error::StalePacket);
                }
                d != 1
            }
        };
        self.last_seq = Some(p.sequence_number);
        if self.state == State::Ready {
            self.state = State::Idle;
        }
        if self.state == State::InFrame && p.timestamp != self.timestamp {
            let reason = if gap {
                DropReason::SequenceGap
            } else if self.fragment_open {
                DropReason::FragmentEndMissing
            } else {
                DropReason::MarkerMissing
            };
            self.push_dropped(reason);
            self.state = State::Idle;
        }
        let new_frame = self.state == State::Idle;
        if new_frame {
            self.state = State::InFrame;
            self.timestamp = p.timestamp;
            self.len = 0;
            self.broken = None;
            self.keyframe = false;
            self.fragment_open = false;
        }
        if gap {
            self.fail(DropReason::SequenceGap);
        }
        Ok(new_frame)
    }

    /// Marks the current frame as lost (the first reason wins).
    pub(crate) fn fail(&mut self, reason: DropReason) {
        if self.broken.is_none() {
            self.broken = Some(reason);
        }
    }

    pub(crate) fn set_keyframe(&mut self) {
        self.keyframe = true;
    }

    /// Appends the concatenation of `parts` to the frame, all or nothing.
    pub(crate) fn append(&mut self, parts: &[&[u8]]) -> Result<(), Error> {
        if self.broken.is_some() {
            return Ok(());
        }
        let total: usize = parts.iter().map(|p| p.len()).sum();
        let start = self.len;
        let Some(dst) = start
            .checked_add(total)
            .and_then(|end| self.buf.as_mut().get_mut(start..end))
        else {
            self.fail(DropReason::FrameBufferFull);
            return Err(Error::FrameBufferFull);
        };
        let mut dst = dst;
        for part in parts {
            let (head, tail) = dst.split_at_mut(part.len());
            head.copy_from_slice(part);
            dst = tail;
        }
        self.len = start + total;
        Ok(())
    }

    /// Accounts for the end of a packet.
    pub(crate) fn end(&mut self, marker: bool) {
        if !marker || self.state != State::InFrame {
            return;
        }
        if self.fragment_open {
            self.fail(DropReason::FragmentEndMissing);
        }
        if self.broken.is_some() {
            self.push_dropped(DropReason::Malformed);
            self.state = State::Idle;
        } else {
            self.state = State::Ready;
        }
    }

    pub(crate) fn poll(&mut self) -> Option<Event<'_>> {
        if let Some(d) = self.dropped.iter_mut().find_map(Option::take) {
            return Some(Event::Dropped(d));
        }
        if self.state != State::Ready {
            return None;
        }
        self.state = State::Idle;
        let data = self.buf.as_ref().get(..self.len).unwrap_or_default();
        Some(Event::Frame(Frame {
            data,
            timestamp: self.timestamp,
            keyframe: self.keyframe,
        }))
    }

    /// One received packet: sequence accounting, `parse` on the payload, marker handling.
    /// A parse error also marks the frame as dropped.
    pub(crate) fn push(
        &mut self,
        p: RtpPayload<'_>,
        parse: impl FnOnce(&mut Self, bool, &[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let new_frame = self.begin(&p)?;
        let result = parse(self, new_frame, p.payload);
        if let Err(e) = result {
            self.fail(match e {
                Error::FrameBufferFull => DropReason::FrameBufferFull,
                _ => DropReason::Malformed,
            });
        }
        self.end(p.marker);
        result
    }

    /// The storage back, e.g. to reuse it elsewhere.
    pub(crate) fn into_inner(self) -> B {
        self.buf
    }
}
