//! What a screenshot shows, read from its pixels: a PNG decoder for the
//! files Godot's `Image.save_png` writes (8-bit RGB or RGBA, not
//! interlaced; inflated with flate2, which the harness already has), and
//! the two measures the screenshot tests assert on: how many colours a
//! region holds (text and drawings are anti-aliased into many shades; a
//! blank or flat panel has a few) and how many lines of content it shows.

use std::io::Read;
use std::path::Path;

/// A decoded picture, 4 bytes (RGBA) a pixel, row after row.
pub struct Picture {
    pub width: usize,
    pub height: usize,
    rgba: Vec<u8>,
}

/// A part of a picture: x, y, width, height in pixels.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

/// A pixel row is part of a line of content when at least this many of its
/// pixels differ from the row's most common colour: more than a scroll
/// bar's or a border's few, fewer than one short word's.
const MIN_CONTENT_PIXELS: usize = 12;
/// Colour distance (sum over R, G, B) from which a pixel counts as
/// different: anti-aliasing's faintest fringes are not content.
const MIN_DISTANCE: u32 = 48;
/// Lines of content thinner than this are rules, borders and scroll bars
/// (4 px in the editor's theme), not text (8 px and more).
const MIN_LINE_HEIGHT: usize = 7;

impl Picture {
    /// Decodes a PNG file; panics (this is test code) on anything else.
    pub fn load(path: &Path) -> Picture {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        Picture::decode(&bytes).unwrap_or_else(|e| panic!("decode {}: {e}", path.display()))
    }

    pub fn decode(bytes: &[u8]) -> Result<Picture, String> {
        const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
        let mut rest = bytes.strip_prefix(SIGNATURE).ok_or("not a PNG")?;
        let (mut width, mut height, mut channels) = (0, 0, 0);
        let mut compressed = Vec::new();
        while rest.len() >= 12 {
            let len = u32::from_be_bytes(rest[0..4].try_into().unwrap()) as usize;
            let kind = &rest[4..8];
            let data = rest.get(8..8 + len).ok_or("truncated chunk")?;
            match kind {
                b"IHDR" => {
                    width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                    height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                    let (depth, colour, interlace) = (data[8], data[9], data[12]);
                    channels = match (depth, colour, interlace) {
                        (8, 2, 0) => 3,
                        (8, 6, 0) => 4,
                        _ => return Err(format!("unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")),
                    };
                }
                b"IDAT" => compressed.extend_from_slice(data),
                b"IEND" => break,
                _ => {}
            }
            rest = &rest[12 + len..];
        }
        if channels == 0 {
            return Err("no IHDR".into());
        }
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .read_to_end(&mut raw)
            .map_err(|e| e.to_string())?;
        let stride = width * channels;
        if raw.len() < height * (stride + 1) {
            return Err(format!(
                "{} bytes of pixels for {width}x{height}",
                raw.len()
            ));
        }
        let mut rgba = Vec::with_capacity(width * height * 4);
        let mut previous = vec![0u8; stride];
        let mut row = vec![0u8; stride];
        for y in 0..height {
            let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
            unfilter(line[0], &line[1..], &previous, channels, &mut row)?;
            for px in row.chunks(channels) {
                rgba.extend_from_slice(&[
                    px[0],
                    px[1],
                    px[2],
                    if channels == 4 { px[3] } else { 255 },
                ]);
            }
            std::mem::swap(&mut previous, &mut row);
        }
        Ok(Picture {
            width,
            height,
            rgba,
        })
    }

    /// The whole picture as a region.
    pub fn all(&self) -> Region {
        Region {
            x: 0,
            y: 0,
            width: self.width,
            height: self.height,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 4] {
        let i = (y * self.width + x) * 4;
        self.rgba[i..i + 4].try_into().unwrap()
    }

    /// `region` cut to the picture.
    fn clip(&self, region: Region) -> Region {
        let x = region.x.min(self.width);
        let y = region.y.min(self.height);
        Region {
            x,
            y,
            width: region.width.min(self.width - x),
            height: region.height.min(self.height - y),
        }
    }

    /// How many different colours the region holds.
    pub fn colours(&self, region: Region) -> usize {
        let r = self.clip(region);
        let mut seen = std::collections::HashSet::new();
        for y in r.y..r.y + r.height {
            for x in r.x..r.x + r.width {
                seen.insert(self.pixel(x, y));
            }
        }
        seen.len()
    }

    /// How many lines of content (text rows, bars) the region shows, top
    /// to bottom: runs of pixel rows that hold something besides their
    /// background.
    pub fn content_lines(&self, region: Region) -> usize {
        let r = self.clip(region);
        let mut lines = 0;
        let mut run = 0;
        for y in r.y..r.y + r.height {
            if self.has_content(r, y) {
                run += 1;
                continue;
            }
            if run >= MIN_LINE_HEIGHT {
                lines += 1;
            }
            run = 0;
        }
        lines + usize::from(run >= MIN_LINE_HEIGHT)
    }

    /// Whether pixel row `y` of region `r` holds content: enough pixels
    /// away from the row's most common colour (its background).
    fn has_content(&self, r: Region, y: usize) -> bool {
        let mut counts = std::collections::HashMap::new();
        for x in r.x..r.x + r.width {
            *counts.entry(self.pixel(x, y)).or_insert(0usize) += 1;
        }
        let Some((background, _)) = counts.iter().max_by_key(|(_, n)| **n) else {
            return false;
        };
        let distance = |p: &[u8; 4]| {
            (0..3)
                .map(|i| p[i].abs_diff(background[i]) as u32)
                .sum::<u32>()
        };
        counts
            .iter()
            .filter(|(p, _)| distance(p) >= MIN_DISTANCE)
            .map(|(_, n)| n)
            .sum::<usize>()
            >= MIN_CONTENT_PIXELS
    }
}

/// Undoes one scanline's PNG filter (`kind`) into `out`.
fn unfilter(
    kind: u8,
    line: &[u8],
    previous: &[u8],
    bpp: usize,
    out: &mut [u8],
) -> Result<(), String> {
    for i in 0..line.len() {
        let left = if i >= bpp { out[i - bpp] } else { 0 };
        let up = previous[i];
        let up_left = if i >= bpp { previous[i - bpp] } else { 0 };
        let predicted = match kind {
            0 => 0,
            1 => left,
            2 => up,
            3 => ((left as u16 + up as u16) / 2) as u8,
            4 => paeth(left, up, up_left),
            _ => return Err(format!("unknown PNG filter {kind}")),
        };
        out[i] = line[i].wrapping_add(predicted);
    }
    Ok(())
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed overlay screenshot (docs/, taken by screenshots.rs)
    /// decodes whole, and its panel reads as the overlay's seven lines.
    #[test]
    fn a_committed_screenshot_decodes_and_its_lines_are_counted() {
        let picture = Picture::load(&crate::repo_root().join("docs/overlay.png"));
        assert_eq!((picture.width, picture.height), (1152, 648));
        assert_eq!(picture.rgba.len(), 1152 * 648 * 4);
        let panel = Region {
            x: 16,
            y: 16,
            width: 420,
            height: 170,
        };
        assert_eq!(picture.content_lines(panel), 7);
        assert!(picture.colours(panel) > 100, "anti-aliased text");
        let game = Region {
            x: 600,
            y: 300,
            width: 400,
            height: 300,
        };
        assert_eq!(
            (picture.content_lines(game), picture.colours(game)),
            (0, 1),
            "the game's flat background"
        );
    }
}
