//! ChannelData messages (RFC 8656 §12.4): 4 bytes of channel number and length, then the
//! application data — the cheap framing TURN uses once a channel is bound.

use crate::Error;

/// Smallest channel number (RFC 8656 §12).
pub const MIN_CHANNEL: u16 = 0x4000;
/// Largest channel number.
pub const MAX_CHANNEL: u16 = 0x4FFF;
/// Size of the ChannelData header.
pub const HEADER_LEN: usize = 4;

/// True for a valid channel number.
pub fn is_channel(number: u16) -> bool {
    (MIN_CHANNEL..=MAX_CHANNEL).contains(&number)
}

const fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

/// A checked view over one ChannelData message.
#[derive(Debug, Clone, Copy)]
pub struct ChannelData<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ChannelData<T> {
    /// Checks the channel number and that the length field fits the buffer. Up to three
    /// bytes of padding may follow the data (required over TCP, allowed over UDP).
    pub fn new_checked(buffer: T) -> Result<ChannelData<T>, Error> {
        let b = buffer.as_ref();
        let header: [u8; 4] = b
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(Error::Truncated)?;
        let number = u16::from_be_bytes([header[0], header[1]]);
        if !is_channel(number) {
            return Err(Error::NotChannelData);
        }
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if b.len() < HEADER_LEN + len {
            return Err(Error::Truncated);
        }
        if b.len() > HEADER_LEN + pad4(len) {
            return Err(Error::BadLength);
        }
        Ok(ChannelData { buffer })
    }

    /// The channel number.
    pub fn channel(&self) -> u16 {
        let b = self.buffer.as_ref();
        u16::from_be_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ])
    }

    /// The application data (without padding).
    pub fn data(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        let len = usize::from(u16::from_be_bytes([
            b.get(2).copied().unwrap_or(0),
            b.get(3).copied().unwrap_or(0),
        ]));
        b.get(HEADER_LEN..HEADER_LEN + len).unwrap_or(&[])
    }
}

impl<'a> ChannelData<&'a [u8]> {
    /// The application data, borrowed from the received buffer rather than the view.
    pub fn payload(&self) -> &'a [u8] {
        let b: &'a [u8] = self.buffer;
        let len = usize::from(u16::from_be_bytes([
            b.get(2).copied().unwrap_or(0),
            b.get(3).copied().unwrap_or(0),
        ]));
        b.get(HEADER_LEN..HEADER_LEN + len).unwrap_or(&[])
    }
}

/// Writes a ChannelData message into `buf`; `pad` adds the zero padding to a multiple of
/// four that stream transports require. Returns the bytes written.
pub fn encode(channel: u16, data: &[u8], pad: bool, buf: &mut [u8]) -> Result<usize, Error> {
    if !is_channel(channel) {
        return Err(Error::NotChannelData);
    }
    let len = u16::try_from(data.len()).map_err(|_| Error::TooLarge)?;
    let total = if pad {
        HEADER_LEN + pad4(data.len())
    } else {
        HEADER_LEN + data.len()
    };
    let out = buf.get_mut(..total).ok_or(Error::BufferTooSmall)?;
    let (header, rest) = out.split_at_mut(HEADER_LEN);
    header.copy_from_slice(&[
        (channel >> 8) as u8,
        channel as u8,
        (len >> 8) as u8,
        len as u8,
    ]);
    let (body, padding) = rest.split_at_mut(data.len());
    body.copy_from_slice(data);
    padding.fill(0);
    Ok(total)
}

/// For stream transports (TCP, TLS): the length of the frame — STUN message or padded
/// ChannelData — that starts `prefix`. `Ok(None)` means "need more bytes".
pub fn frame_len(prefix: &[u8]) -> Result<Option<usize>, Error> {
    let Some(&first) = prefix.first() else {
        return Ok(None);
    };
    match first >> 6 {
        0b00 => rtcam_stun::frame_len(prefix).map_err(Error::Stun),
        0b01 => {
            let Some(header) = prefix
                .get(..HEADER_LEN)
                .and_then(|h| <[u8; 4]>::try_from(h).ok())
            else {
                return Ok(None);
            };
            let number = u16::from_be_bytes([header[0], header[1]]);
            if !is_channel(number) {
                return Err(Error::NotChannelData);
            }
            let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
            Ok(Some(HEADER_LEN + pad4(len)))
        }
        _ => Err(Error::NotTurn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_padded_and_not() {
        let mut buf = [0xffu8; 16];
        assert_eq!(encode(0x4001, b"hello", false, &mut buf), Ok(9));
        let cd = ChannelData::new_checked(&buf[..9]).unwrap();
        assert_eq!((cd.channel(), cd.data()), (0x4001, &b"hello"[..]));
        assert_eq!(encode(0x4001, b"hello", true, &mut buf), Ok(12));
        assert_eq!(&buf[9..12], &[0, 0, 0]);
        let cd = ChannelData::new_checked(&buf[..12]).unwrap();
        assert_eq!(cd.data(), b"hello");
        assert_eq!(frame_len(&buf[..12]), Ok(Some(12)));
        assert_eq!(frame_len(&buf[..3]), Ok(None));
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(
            ChannelData::new_checked(&[0x40, 0x00, 0x00][..]).err(),
            Some(Error::Truncated)
        );
        assert_eq!(
            ChannelData::new_checked(&[0x50, 0x00, 0x00, 0x00][..]).err(),
            Some(Error::NotChannelData)
        );
        assert_eq!(
            ChannelData::new_checked(&[0x40, 0x00, 0x00, 0x02, 1][..]).err(),
            Some(Error::Truncated)
        );
        assert_eq!(
            ChannelData::new_checked(&[0x40, 0x00, 0x00, 0x01, 1, 0, 0, 0, 0][..]).err(),
            Some(Error::BadLength)
        );
        let mut small = [0u8; 6];
        assert_eq!(
            encode(0x4000, b"abc", false, &mut small),
            Err(Error::BufferTooSmall)
        );
        assert_eq!(
            encode(0x3fff, b"", false, &mut small),
            Err(Error::NotChannelData)
        );
        assert_eq!(frame_len(&[0xc0]), Err(Error::NotTurn));
    }
}
