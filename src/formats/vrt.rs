//! GDAL VRT files of raw bands (`VRTRawRasterBand`): each band names a
//! source file and lays pixels over it with ImageOffset, PixelOffset and
//! LineOffset (bytes) and a ByteOrder — exactly a strided view. One band
//! is a (lines, pixels) view; several bands of the same type, file and
//! steps whose ImageOffsets are evenly spaced are one (bands, lines,
//! pixels) view.

use super::{read_text, Described, Failure};
use crate::dtype::{ByteOrder, Dtype, Kind, Scalar};
use crate::report::Field;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone)]
struct Band {
    data_type: String,
    subclass: String,
    source: String,
    relative: bool,
    image_offset: Option<String>,
    pixel_offset: Option<String>,
    line_offset: Option<String>,
    byte_order: Option<String>,
}

/// A GDAL data type as a dtype in `order`.
pub fn gdal_dtype(name: &str, order: ByteOrder) -> Option<Dtype> {
    let scalar = |kind, size: usize| {
        let order = if size == 1 { ByteOrder::NATIVE } else { order };
        Some(Dtype::Scalar(Scalar::new(kind, size, order)))
    };
    match name {
        "Byte" | "UInt8" => scalar(Kind::UInt, 1),
        "Int8" => scalar(Kind::Int, 1),
        "UInt16" => scalar(Kind::UInt, 2),
        "Int16" => scalar(Kind::Int, 2),
        "UInt32" => scalar(Kind::UInt, 4),
        "Int32" => scalar(Kind::Int, 4),
        "UInt64" => scalar(Kind::UInt, 8),
        "Int64" => scalar(Kind::Int, 8),
        "Float32" => scalar(Kind::Float, 4),
        "Float64" => scalar(Kind::Float, 8),
        "CFloat32" => scalar(Kind::Complex, 8),
        "CFloat64" => scalar(Kind::Complex, 16),
        "CInt16" | "CInt32" => {
            let size = if name == "CInt16" { 2 } else { 4 };
            Some(Dtype::complex_int(Scalar::new(Kind::Int, size, order)))
        }
        _ => None,
    }
}

/// The GDAL name of a dtype (scalars and complex-integer records).
pub fn gdal_name(d: &Dtype) -> Option<&'static str> {
    if let Some(part) = d.complex_int_part() {
        return match (part.kind, part.size) {
            (Kind::Int, 2) => Some("CInt16"),
            (Kind::Int, 4) => Some("CInt32"),
            _ => None,
        };
    }
    let s = d.as_scalar()?;
    Some(match (s.kind, s.size) {
        (Kind::UInt, 1) => "Byte",
        (Kind::Int, 1) => "Int8",
        (Kind::UInt, 2) => "UInt16",
        (Kind::Int, 2) => "Int16",
        (Kind::UInt, 4) => "UInt32",
        (Kind::Int, 4) => "Int32",
        (Kind::UInt, 8) => "UInt64",
        (Kind::Int, 8) => "Int64",
        (Kind::Float, 4) => "Float32",
        (Kind::Float, 8) => "Float64",
        (Kind::Complex, 8) => "CFloat32",
        (Kind::Complex, 16) => "CFloat64",
        _ => return None,
    })
}

fn parse(text: &str) -> Result<(u64, u64, Vec<Band>), String> {
    let mut reader = Reader::from_str(text);
    let (mut xsize, mut ysize) = (None, None);
    let mut bands: Vec<Band> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                let attr = |key: &str| -> Option<String> {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref().eq_ignore_ascii_case(key))
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                match name.as_str() {
                    "VRTDataset" => {
                        xsize = attr("rasterXSize").and_then(|v| v.trim().parse().ok());
                        ysize = attr("rasterYSize").and_then(|v| v.trim().parse().ok());
                    }
                    "VRTRasterBand" => bands.push(Band {
                        data_type: attr("dataType").unwrap_or_default(),
                        subclass: attr("subClass").unwrap_or_default(),
                        ..Band::default()
                    }),
                    "SourceFilename" => {
                        if let Some(b) = bands.last_mut() {
                            b.relative = attr("relativeToVRT").is_some_and(|v| v.trim() == "1");
                        }
                    }
                    _ => {}
                }
                if !empty {
                    path.push(name);
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let value = t.xml10_content().trim().to_string();
                if let (Some(tag), Some(b)) = (path.last(), bands.last_mut()) {
                    match tag.as_str() {
                        "SourceFilename" => b.source.push_str(&value),
                        "ImageOffset" => b.image_offset = Some(value),
                        "PixelOffset" => b.pixel_offset = Some(value),
                        "LineOffset" => b.line_offset = Some(value),
                        "ByteOrder" => b.byte_order = Some(value),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (xsize, ysize) {
        (Some(x), Some(y)) => Ok((x, y, bands)),
        _ => Err("the VRTDataset has no rasterXSize and rasterYSize".into()),
    }
}

pub fn describe(vrt: &Path) -> Result<Described, Failure> {
    let text = read_text(vrt, "VRT file")?;
    let bad = |why: String| {
        (
            format!("{}: {why}", vrt.display()),
            Some("strided reads VRTRawRasterBand bands (ImageOffset, PixelOffset, LineOffset, ByteOrder)".into()),
        )
    };
    let (xsize, ysize, bands) =
        parse(&text).map_err(|e| bad(format!("not a readable VRT: {e}")))?;
    if bands.is_empty() {
        return Err(bad("it has no bands".into()));
    }
    let base = vrt.parent().unwrap_or(Path::new(""));
    let source = |b: &Band| -> PathBuf {
        if b.relative {
            base.join(&b.source)
        } else {
            PathBuf::from(&b.source)
        }
    };
    for b in &bands {
        if b.subclass == "VRTRawRasterBand" {
            continue;
        }
        // `gdal_translate -of VRT` writes bands that copy from another
        // dataset (SimpleSource, ComplexSource): name it, it may be one
        // strided opens as it is.
        if b.subclass.is_empty() && !b.source.is_empty() {
            let from = source(b);
            return Err((
                format!(
                    "{}: its band copies pixels from {} (a SimpleSource or ComplexSource), it does not lay them over raw bytes",
                    vrt.display(),
                    from.display()
                ),
                Some(format!(
                    "open {} itself: a raw file with an ENVI or ESRI .hdr, a SigMF or .npy file opens as it is; other formats need GDAL",
                    crate::text::escape(&from.display().to_string())
                )),
            ));
        }
        return Err(bad(format!(
            "a band of subClass `{}` is not raw",
            b.subclass
        )));
    }
    let first = &bands[0];
    let int = |v: &Option<String>, what: &str| -> Result<i128, Failure> {
        match v {
            None => Ok(0),
            Some(s) => s.parse::<i64>().map(i128::from).map_err(|_| {
                bad(format!(
                    "{what} `{s}` is not a whole number of bytes that fits in 64 bits"
                ))
            }),
        }
    };
    let order = match first.byte_order.as_deref() {
        None | Some("LSB") => ByteOrder::Little,
        Some("MSB") => ByteOrder::Big,
        Some("VAX") => return Err(bad("VAX byte order is not supported".into())),
        Some(other) => return Err(bad(format!("unknown ByteOrder `{other}`"))),
    };
    let dtype = gdal_dtype(&first.data_type, order)
        .ok_or_else(|| bad(format!("unknown dataType `{}`", first.data_type)))?;
    let itemsize = dtype.itemsize() as i128;
    let pixel = match &first.pixel_offset {
        None => itemsize,
        p => int(p, "PixelOffset")?,
    };
    let line = match &first.line_offset {
        None => pixel * xsize as i128,
        l => int(l, "LineOffset")?,
    };
    let image = int(&first.image_offset, "ImageOffset")?;
    // Several bands: one 3-D view when they differ only by an even step.
    let mut band_step = 0i128;
    if bands.len() > 1 {
        let offsets: Vec<i128> = bands
            .iter()
            .map(|b| int(&b.image_offset, "ImageOffset"))
            .collect::<Result<_, _>>()?;
        band_step = offsets[1] - offsets[0];
        let same = bands.iter().all(|b| {
            b.data_type == first.data_type
                && b.pixel_offset == first.pixel_offset
                && b.line_offset == first.line_offset
                && b.byte_order == first.byte_order
                && source(b) == source(first)
        });
        let even = offsets.windows(2).all(|w| w[1] - w[0] == band_step);
        if !same || !even {
            return Err(bad(
                "its bands differ in type, file or steps, or their ImageOffsets are not evenly spaced: not one strided view".into(),
            ));
        }
    }
    let to_isize =
        |v: i128| isize::try_from(v).map_err(|_| bad(format!("offset {v} is too large")));
    let (shape, strides, axes) = if bands.len() > 1 {
        (
            vec![bands.len() as i128, ysize as i128, xsize as i128],
            vec![to_isize(band_step)?, to_isize(line)?, to_isize(pixel)?],
            vec!["band".into(), "line".into(), "pixel".into()],
        )
    } else {
        (
            vec![ysize as i128, xsize as i128],
            vec![to_isize(line)?, to_isize(pixel)?],
            vec!["line".into(), "pixel".into()],
        )
    };
    let offset = u64::try_from(image).map_err(|_| bad("a negative ImageOffset".into()))?;
    Ok(Described {
        format: "GDAL VRT",
        described_by: vrt.to_path_buf(),
        data: source(first),
        dtype,
        shape: Some(shape),
        offset,
        strides: Some(strides),
        segments: None,
        axes,
        facts: vec![
            ("GDAL dataType".into(), Field::Str(first.data_type.clone())),
            ("bands".into(), Field::Int(bands.len() as i128)),
        ],
    })
}
