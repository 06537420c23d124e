//! The certificate as a PDF: one A4-landscape page in Chinese, with the fonts embedded (subset)
//! so it prints the same anywhere, and a QR code that leads to the public verify page.
//!
//! Text is shaped here with `rustybuzz` (the version krilla itself uses) so every line can be
//! measured, wrapped and centred; krilla gets the glyphs together with the byte range of the text
//! each one stands for, which is what keeps the text extractable (search, copy, `pdftotext`).
//! A glyph id 0 means the font lacks a character: rather than print a blank box on a certificate,
//! rendering fails and names the character.
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document};
use qrcode::{EcLevel, QrCode};

/// What a certificate shows. All text already in Chinese.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateData {
    /// e.g. "TJCP-2014-7K3M9Q2X"
    pub serial: String,
    /// The trainee's name.
    pub name: String,
    /// May be empty.
    pub enterprise: String,
    /// Tier name in Chinese, e.g. "企业内审员".
    pub tier: String,
    /// Programme title.
    pub programme: String,
    /// Course titles.
    pub courses: Vec<String>,
    /// Hours attended, e.g. 10.5.
    pub hours: f64,
    /// e.g. "2014年7月14日至18日"
    pub dates: String,
    /// Issuing organisations, e.g. ["天津市经济和信息化委员会", "天津市环境保护局"].
    pub issuers: Vec<String>,
    /// e.g. "2014年7月18日"
    pub issued_on: String,
    /// What the QR code encodes.
    pub verify_url: String,
}

#[derive(Debug)]
pub enum PdfError {
    /// A font file could not be read; holds its path.
    FontMissing(String),
    /// No font has a glyph for this character.
    MissingGlyph(char),
    Render(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::FontMissing(path) => write!(
                f,
                "certificate font not found: {path} (install fonts-noto-cjk and fonts-noto-cjk-extra)"
            ),
            PdfError::MissingGlyph(c) => write!(
                f,
                "the certificate fonts have no glyph for '{c}' (U+{:04X})",
                u32::from(*c)
            ),
            PdfError::Render(message) => write!(f, "certificate PDF: {message}"),
        }
    }
}

impl std::error::Error for PdfError {}

const SANS_PATH: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const SERIF_BOLD_PATH: &str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc";
/// Face index of Simplified Chinese in Noto's CJK collections.
const SC_INDEX: u32 = 2;

/// One face of a font collection: its bytes (shared with krilla, never copied) and krilla's font.
struct FontFace {
    data: Arc<Vec<u8>>,
    index: u32,
    font: Font,
}

impl FontFace {
    fn load(path: &str, index: u32) -> Result<FontFace, PdfError> {
        let bytes = std::fs::read(path).map_err(|_| PdfError::FontMissing(path.to_string()))?;
        let data = Arc::new(bytes);
        if rustybuzz::Face::from_slice(&data, index).is_none() {
            return Err(PdfError::Render(format!(
                "{path} has no usable face {index}"
            )));
        }
        let font = Font::new(Data::from(data.clone()), index).ok_or_else(|| {
            PdfError::Render(format!("krilla cannot read face {index} of {path}"))
        })?;
        Ok(FontFace { data, index, font })
    }
}

/// The two Noto CJK faces a certificate uses (about 45 MB of font files): load once and share.
pub struct Fonts {
    sans: FontFace,
    serif_bold: FontFace,
}

impl Fonts {
    /// Loads Noto Sans CJK SC Regular (body) and Noto Serif CJK SC Bold (title, name).
    pub fn load() -> Result<Fonts, PdfError> {
        Ok(Fonts {
            sans: FontFace::load(SANS_PATH, SC_INDEX)?,
            serif_bold: FontFace::load(SERIF_BOLD_PATH, SC_INDEX)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Page geometry (points; the origin is the top left corner, y grows downwards).

const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;

const fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

const OUTER_FRAME: f32 = mm(10.0);
const INNER_FRAME: f32 = mm(13.5);
/// Left and right edge of all text and the QR code.
const CONTENT_X: f32 = mm(35.0);
const CONTENT_W: f32 = PAGE_W - 2.0 * CONTENT_X;
const QR_SIZE: f32 = mm(28.0);

const RED: (u8, u8, u8) = (142, 27, 31);
const INK: (u8, u8, u8) = (26, 26, 26);
const GREY: (u8, u8, u8) = (90, 90, 90);

fn color((r, g, b): (u8, u8, u8)) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

/// A4 landscape, one page.
pub fn render(data: &CertificateData, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let shaper = Shaper::new(fonts)?;

    // Lay out everything first, so that a missing glyph or text that cannot fit fails before any
    // drawing.
    let title = Paragraph::single(&shaper, "结业证书", style(FaceKind::Serif, 1.0, RED, 0.35))?;
    let title_lines = title.layout(44.0, CONTENT_W);
    let subtitle = Paragraph::single(
        &shaper,
        "Certificate of Completion",
        style(FaceKind::Serif, 1.0, GREY, 0.06),
    )?;
    let subtitle_lines = subtitle.layout(13.0, CONTENT_W);

    // Bottom left, from the bottom up: serial, caption, QR code.
    let serial_size = 9.5;
    let serial = Paragraph::single(
        &shaper,
        &format!("证书编号：{}", clean(&data.serial)),
        style(FaceKind::Sans, 1.0, GREY, 0.0),
    )?;
    let serial_lines = serial.layout(serial_size, CONTENT_W * 0.45);
    let serial_lh = serial_size * 1.5;
    let serial_last_baseline = PAGE_H - mm(20.0);
    let serial_first_baseline =
        serial_last_baseline - serial_lh * (serial_lines.len().saturating_sub(1)) as f32;
    let caption_size = 9.0;
    let caption = Paragraph::single(&shaper, "扫码验证", style(FaceKind::Sans, 1.0, GREY, 0.2))?;
    let caption_lines = caption.layout(caption_size, QR_SIZE * 2.0);
    let caption_baseline = serial_first_baseline - serial_size * 1.9;
    // The caption stays clear of the QR code's quiet zone (4 modules, about 4 mm).
    let qr_bottom = caption_baseline - caption_size - mm(4.0);
    let qr_top = qr_bottom - QR_SIZE;

    // Bottom right: the issuers, then the date, centred on one axis that ends at the margin.
    let issuer_size = 13.0;
    let issuer_lh = issuer_size * 1.75;
    let issuer_max_w = CONTENT_W * 0.55;
    let mut signature: Vec<(Paragraph, Vec<Line>)> = Vec::new();
    for text in data.issuers.iter().chain(std::iter::once(&data.issued_on)) {
        let text = clean(text);
        if text.is_empty() {
            continue;
        }
        let para = Paragraph::single(&shaper, &text, style(FaceKind::Sans, 1.0, INK, 0.0))?;
        let lines = para.layout(issuer_size, issuer_max_w);
        signature.push((para, lines));
    }
    let signature_lines: usize = signature.iter().map(|(_, lines)| lines.len()).sum();
    let signature_w = signature
        .iter()
        .flat_map(|(_, lines)| lines.iter().map(|line| line.width))
        .fold(0.0_f32, f32::max);
    let signature_last_baseline = qr_bottom;
    let signature_first_baseline =
        signature_last_baseline - issuer_lh * (signature_lines.saturating_sub(1)) as f32;
    let signature_top = signature_first_baseline - issuer_size;

    // The body: as large as fits between the heading and the bottom blocks.
    let body = body_paragraph(&shaper, data)?;
    let body_top = mm(68.0);
    let body_bottom = qr_top.min(signature_top) - mm(7.0);
    let (body_size, body_lines) = fit_body(&body, body_bottom - body_top)?;
    let body_lh = body_size * BODY_LEADING;
    // Centred vertically in its space; the first line's ascent is about one em.
    let body_h = body_lh * (body_lines.len().saturating_sub(1)) as f32 + body_size * 1.3;
    let body_first_baseline =
        body_top + ((body_bottom - body_top) - body_h).max(0.0) / 2.0 + body_size * 1.05;

    let code = QrCode::with_error_correction_level(data.verify_url.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(data.verify_url.as_bytes(), EcLevel::L))
        .map_err(|e| PdfError::Render(format!("QR code: {e}")))?;

    // Draw.
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("结业证书 {}", clean(&data.serial)))
            .language("zh-CN".to_string())
            .creator("academy".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| PdfError::Render("page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();

    draw_frame(&mut surface);

    let title_baseline = mm(46.0);
    title.draw(
        &mut surface,
        &title_lines,
        44.0,
        CONTENT_X,
        CONTENT_W,
        title_baseline,
        0.0,
        Align::Centre,
    );
    let subtitle_baseline = title_baseline + mm(10.5);
    subtitle.draw(
        &mut surface,
        &subtitle_lines,
        13.0,
        CONTENT_X,
        CONTENT_W,
        subtitle_baseline,
        0.0,
        Align::Centre,
    );
    // Two short rules either side of the English line.
    if let Some(line) = subtitle_lines.first() {
        let centre = PAGE_W / 2.0;
        let half = line.width / 2.0 + mm(5.0);
        let y = subtitle_baseline - 13.0 * 0.33;
        stroke_line(
            &mut surface,
            centre - half - mm(28.0),
            y,
            centre - half,
            y,
            0.8,
            RED,
        );
        stroke_line(
            &mut surface,
            centre + half,
            y,
            centre + half + mm(28.0),
            y,
            0.8,
            RED,
        );
    }

    body.draw(
        &mut surface,
        &body_lines,
        body_size,
        CONTENT_X,
        CONTENT_W,
        body_first_baseline,
        body_lh,
        Align::Justify,
    );

    draw_qr(&mut surface, &code, CONTENT_X, qr_top, QR_SIZE);
    caption.draw(
        &mut surface,
        &caption_lines,
        caption_size,
        CONTENT_X,
        QR_SIZE,
        caption_baseline,
        0.0,
        Align::Centre,
    );
    serial.draw(
        &mut surface,
        &serial_lines,
        serial_size,
        CONTENT_X,
        CONTENT_W * 0.45,
        serial_first_baseline,
        serial_lh,
        Align::Left,
    );

    let axis_left = PAGE_W - CONTENT_X - signature_w;
    let mut baseline = signature_first_baseline;
    for (para, lines) in &signature {
        para.draw(
            &mut surface,
            lines,
            issuer_size,
            axis_left,
            signature_w,
            baseline,
            issuer_lh,
            Align::Centre,
        );
        baseline += issuer_lh * lines.len() as f32;
    }

    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| PdfError::Render(e.to_string()))
}

/// Line height of the body text, as a multiple of its size.
const BODY_LEADING: f32 = 1.85;

/// "兹证明 {enterprise} {name} 同志（{tier}）于{dates}参加{programme}，完成{courses}课程学习，
/// 出勤 {hours} 学时，考核合格，特发此证。" with the name set larger in the serif bold.
fn body_paragraph<'f>(
    shaper: &Shaper<'f>,
    data: &CertificateData,
) -> Result<Paragraph<'f>, PdfError> {
    let plain = style(FaceKind::Sans, 1.0, INK, 0.0);
    let mut builder = ParagraphBuilder::new(shaper);
    builder.push("兹证明 ", plain, false)?;
    let enterprise = clean(&data.enterprise);
    if !enterprise.is_empty() {
        builder.push(&enterprise, plain, false)?;
        builder.push(" ", plain, false)?;
    }
    builder.push(
        &clean(&data.name),
        style(FaceKind::Serif, 1.25, INK, 0.08),
        true,
    )?;
    let courses = data
        .courses
        .iter()
        .map(|c| clean(c))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("、");
    let rest = format!(
        " 同志（{}）于{}参加{}，完成{}课程学习，出勤 {} 学时，考核合格，特发此证。",
        clean(&data.tier),
        clean(&data.dates),
        clean(&data.programme),
        courses,
        format_hours(data.hours),
    );
    builder.push(&rest, plain, false)?;
    Ok(builder.finish())
}

/// The largest body size (16 pt down to 9 pt) at which the body fits the height.
fn fit_body(body: &Paragraph<'_>, height: f32) -> Result<(f32, Vec<Line>), PdfError> {
    let mut size = 16.0_f32;
    while size >= 9.0 {
        let lines = body.layout(size, CONTENT_W);
        let needed = size * BODY_LEADING * (lines.len().saturating_sub(1)) as f32 + size * 1.3;
        if needed <= height {
            return Ok((size, lines));
        }
        size -= 0.5;
    }
    Err(PdfError::Render(
        "the certificate text is too long to fit on the page".into(),
    ))
}

/// 10 → "10", 10.5 → "10.5", 10.25 → "10.25".
fn format_hours(hours: f64) -> String {
    let text = format!("{:.2}", hours.max(0.0));
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Control characters (newlines, tabs) become spaces; the ends are trimmed.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn draw_frame(surface: &mut Surface<'_>) {
    let rect =
        |inset: f32| Rect::from_xywh(inset, inset, PAGE_W - 2.0 * inset, PAGE_H - 2.0 * inset);
    for (inset, width) in [(OUTER_FRAME, 2.6), (INNER_FRAME, 0.75)] {
        let mut pb = PathBuilder::new();
        if let Some(r) = rect(inset) {
            pb.push_rect(r);
        }
        if let Some(path) = pb.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: color(RED).into(),
                width,
                ..Default::default()
            }));
            surface.draw_path(&path);
        }
    }
    surface.set_stroke(None);
}

#[allow(clippy::too_many_arguments)]
fn stroke_line(
    surface: &mut Surface<'_>,
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    width: f32,
    rgb: (u8, u8, u8),
) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y1);
    pb.line_to(x2, y2);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: color(rgb).into(),
            width,
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// Dark modules as filled rectangles (runs of a row merged), one path.
fn draw_qr(surface: &mut Surface<'_>, code: &QrCode, x: f32, y: f32, size: f32) {
    let n = code.width();
    let module = size / n as f32;
    let colors = code.to_colors();
    let mut pb = PathBuilder::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                if let Some(r) = Rect::from_xywh(
                    x + start as f32 * module,
                    y + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ) {
                    pb.push_rect(r);
                }
            } else {
                col += 1;
            }
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: color(INK).into(),
            ..Default::default()
        }));
        surface.draw_path(&path);
    }
}

// ---------------------------------------------------------------------------------------------
// Text: shaping, line breaking, drawing.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaceKind {
    Sans,
    Serif,
}

#[derive(Clone, Copy, Debug)]
struct Style {
    /// Preferred face; falls back to the sans for characters the serif lacks.
    face: FaceKind,
    /// Size relative to the paragraph's size.
    scale: f32,
    color: (u8, u8, u8),
    /// Extra space after each character, in em.
    tracking: f32,
}

fn style(face: FaceKind, scale: f32, color: (u8, u8, u8), tracking: f32) -> Style {
    Style {
        face,
        scale,
        color,
        tracking,
    }
}

/// The rustybuzz faces for one render (they borrow the font bytes held by `Fonts`).
struct Shaper<'f> {
    fonts: &'f Fonts,
    sans: rustybuzz::Face<'f>,
    serif: rustybuzz::Face<'f>,
}

impl<'f> Shaper<'f> {
    fn new(fonts: &'f Fonts) -> Result<Shaper<'f>, PdfError> {
        let face = |f: &'f FontFace| {
            rustybuzz::Face::from_slice(&f.data, f.index)
                .ok_or_else(|| PdfError::Render("unusable font face".into()))
        };
        Ok(Shaper {
            fonts,
            sans: face(&fonts.sans)?,
            serif: face(&fonts.serif_bold)?,
        })
    }

    fn parts(&self, kind: FaceKind) -> (&rustybuzz::Face<'f>, &'f Font) {
        match kind {
            FaceKind::Sans => (&self.sans, &self.fonts.sans.font),
            FaceKind::Serif => (&self.serif, &self.fonts.serif_bold.font),
        }
    }

    /// Shapes `text` (which starts at byte `offset` of its paragraph) into clusters, with ranges
    /// relative to the paragraph. Falls back from the serif to the sans; fails on a glyph id 0.
    fn shape(
        &self,
        text: &str,
        offset: usize,
        kind: FaceKind,
    ) -> Result<(FaceKind, Vec<Cluster>), PdfError> {
        match self.shape_with(text, offset, kind) {
            Ok(clusters) => Ok((kind, clusters)),
            Err(PdfError::MissingGlyph(_)) if kind != FaceKind::Sans => self
                .shape_with(text, offset, FaceKind::Sans)
                .map(|clusters| (FaceKind::Sans, clusters)),
            Err(e) => Err(e),
        }
    }

    fn shape_with(
        &self,
        text: &str,
        offset: usize,
        kind: FaceKind,
    ) -> Result<Vec<Cluster>, PdfError> {
        let (face, _) = self.parts(kind);
        let upem = face.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        let output = rustybuzz::shape(face, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();

        let mut clusters: Vec<Cluster> = Vec::new();
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            if info.glyph_id == 0 {
                let c = text[start..].chars().next().unwrap_or('\u{FFFD}');
                return Err(PdfError::MissingGlyph(c));
            }
            // Left to right, so clusters are ascending: a cluster ends where the next begins.
            let end = infos[i..]
                .iter()
                .map(|g| g.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let glyph = KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                offset + start..offset + end,
                None,
            );
            match clusters.last_mut() {
                Some(last) if last.range.start == offset + start => {
                    last.advance += glyph.x_advance;
                    last.glyphs.push(glyph);
                }
                _ => {
                    let slice = &text[start..end];
                    clusters.push(Cluster {
                        range: offset + start..offset + end,
                        first: slice.chars().next().unwrap_or(' '),
                        last: slice.chars().next_back().unwrap_or(' '),
                        advance: glyph.x_advance,
                        glyphs: vec![glyph],
                        span: 0,
                    });
                }
            }
        }
        Ok(clusters)
    }
}

/// The glyphs of one or more characters that must stay together.
#[derive(Clone, Debug)]
struct Cluster {
    range: Range<usize>,
    first: char,
    last: char,
    /// In em of the span's size.
    advance: f32,
    glyphs: Vec<KrillaGlyph>,
    span: usize,
}

impl Cluster {
    fn is_space(&self) -> bool {
        self.first.is_whitespace() && self.last.is_whitespace()
    }
}

struct Span {
    style: Style,
    /// The face actually used (after fallback).
    face: FaceKind,
    /// Never broken unless it is longer than a whole line (names).
    keep_together: bool,
}

/// Text in one or more styles, shaped once and laid out at any size.
struct Paragraph<'f> {
    text: String,
    spans: Vec<Span>,
    clusters: Vec<Cluster>,
    fonts: &'f Fonts,
}

struct ParagraphBuilder<'s, 'f> {
    shaper: &'s Shaper<'f>,
    text: String,
    spans: Vec<Span>,
    clusters: Vec<Cluster>,
}

impl<'s, 'f> ParagraphBuilder<'s, 'f> {
    fn new(shaper: &'s Shaper<'f>) -> Self {
        ParagraphBuilder {
            shaper,
            text: String::new(),
            spans: Vec::new(),
            clusters: Vec::new(),
        }
    }

    fn push(&mut self, text: &str, style: Style, keep_together: bool) -> Result<(), PdfError> {
        if text.is_empty() {
            return Ok(());
        }
        let offset = self.text.len();
        let (face, clusters) = self.shaper.shape(text, offset, style.face)?;
        let span = self.spans.len();
        self.spans.push(Span {
            style,
            face,
            keep_together,
        });
        self.text.push_str(text);
        self.clusters
            .extend(clusters.into_iter().map(|c| Cluster { span, ..c }));
        Ok(())
    }

    fn finish(self) -> Paragraph<'f> {
        Paragraph {
            text: self.text,
            spans: self.spans,
            clusters: self.clusters,
            fonts: self.shaper.fonts,
        }
    }
}

/// One laid-out line: a range of clusters (spaces at its ends already dropped) and its width.
#[derive(Clone, Debug)]
struct Line {
    clusters: Range<usize>,
    width: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Align {
    Left,
    Centre,
    /// Full lines fill the width; the last line is centred.
    Justify,
}

/// Characters that may not begin a line (Chinese line-breaking rules, simplified).
const NO_LINE_START: &str = "，。、；：？！）」』》〉】〕”’·…—％%‰,.;:?!)]}";
/// Characters that may not end a line.
const NO_LINE_END: &str = "（「『《〈【〔“‘([{";

impl<'f> Paragraph<'f> {
    fn single(shaper: &Shaper<'f>, text: &str, style: Style) -> Result<Paragraph<'f>, PdfError> {
        let mut builder = ParagraphBuilder::new(shaper);
        builder.push(text, style, false)?;
        Ok(builder.finish())
    }

    fn cluster_size(&self, cluster: &Cluster, size: f32) -> f32 {
        size * self.spans[cluster.span].style.scale
    }

    /// Advance of a cluster in points, with its tracking.
    fn cluster_width(&self, cluster: &Cluster, size: f32) -> f32 {
        let style = &self.spans[cluster.span].style;
        (cluster.advance + style.tracking) * size * style.scale
    }

    fn may_break_between(&self, before: &Cluster, after: &Cluster) -> bool {
        if before.span == after.span && self.spans[before.span].keep_together {
            return false;
        }
        if before.last.is_whitespace() {
            return true;
        }
        if after.first.is_whitespace()
            || NO_LINE_START.contains(after.first)
            || NO_LINE_END.contains(before.last)
        {
            return false;
        }
        // Latin words, numbers and serials stay whole.
        !(before.last.is_ascii_graphic() && after.first.is_ascii_graphic())
    }

    /// Width of clusters `range` as a line: without spaces at the ends or the last tracking.
    fn line_of(&self, range: Range<usize>, size: f32) -> Line {
        let mut start = range.start;
        let mut end = range.end;
        while start < end && self.clusters[start].is_space() {
            start += 1;
        }
        while end > start && self.clusters[end - 1].is_space() {
            end -= 1;
        }
        let mut width: f32 = self.clusters[start..end]
            .iter()
            .map(|c| self.cluster_width(c, size))
            .sum();
        if let Some(last) = self.clusters[start..end].last() {
            let style = &self.spans[last.span].style;
            width -= style.tracking * size * style.scale;
        }
        Line {
            clusters: start..end,
            width,
        }
    }

    /// Greedy line breaking at `size` points within `max_width`.
    fn layout(&self, size: f32, max_width: f32) -> Vec<Line> {
        // Units: runs of clusters with no break allowed inside.
        let mut units: Vec<Range<usize>> = Vec::new();
        let mut unit_start = 0;
        for i in 1..=self.clusters.len() {
            if i == self.clusters.len()
                || self.may_break_between(&self.clusters[i - 1], &self.clusters[i])
            {
                units.push(unit_start..i);
                unit_start = i;
            }
        }

        let mut lines = Vec::new();
        let mut line_start: Option<usize> = None;
        let mut line_end = 0;
        for unit in units {
            let start = line_start.unwrap_or(unit.start);
            if self.line_of(start..unit.end, size).width <= max_width {
                line_start = Some(start);
                line_end = unit.end;
                continue;
            }
            if let Some(s) = line_start {
                lines.push(self.line_of(s..line_end, size));
            }
            if self.line_of(unit.clone(), size).width <= max_width {
                line_start = Some(unit.start);
                line_end = unit.end;
                continue;
            }
            // A unit wider than a line (a very long name or word): break it anywhere.
            let mut s = unit.start;
            for i in unit.start + 1..unit.end {
                if self.line_of(s..i + 1, size).width > max_width {
                    lines.push(self.line_of(s..i, size));
                    s = i;
                }
            }
            line_start = Some(s);
            line_end = unit.end;
        }
        if let Some(s) = line_start {
            lines.push(self.line_of(s..line_end, size));
        }
        lines.retain(|line| !line.clusters.is_empty());
        lines
    }

    /// Draws `lines`, the first baseline at `y`, each `leading` points below the last.
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        surface: &mut Surface<'_>,
        lines: &[Line],
        size: f32,
        x: f32,
        width: f32,
        y: f32,
        leading: f32,
        align: Align,
    ) {
        for (n, line) in lines.iter().enumerate() {
            let is_last = n + 1 == lines.len();
            let clusters = &self.clusters[line.clusters.clone()];
            let gaps = clusters.len().saturating_sub(1);
            let slack = (width - line.width).max(0.0);
            let (start_x, extra) = match align {
                Align::Left => (x, 0.0),
                Align::Centre => (x + slack / 2.0, 0.0),
                Align::Justify => {
                    let per_gap = if gaps > 0 { slack / gaps as f32 } else { 0.0 };
                    // A line cut short by a long unbreakable name is centred, not stretched.
                    if !is_last && per_gap <= size * 0.35 {
                        (x, per_gap)
                    } else {
                        (x + slack / 2.0, 0.0)
                    }
                }
            };
            self.draw_line(
                surface,
                clusters,
                size,
                start_x,
                y + leading * n as f32,
                extra,
            );
        }
    }

    /// One line: a `draw_glyphs` call per run of clusters in the same span.
    fn draw_line(
        &self,
        surface: &mut Surface<'_>,
        clusters: &[Cluster],
        size: f32,
        x: f32,
        baseline: f32,
        extra: f32,
    ) {
        let mut pen = x;
        let mut i = 0;
        while i < clusters.len() {
            let span_index = clusters[i].span;
            let span = &self.spans[span_index];
            let run_size = self.cluster_size(&clusters[i], size);
            let run_start = pen;
            let mut glyphs: Vec<KrillaGlyph> = Vec::new();
            while i < clusters.len() && clusters[i].span == span_index {
                let cluster = &clusters[i];
                let mut cluster_glyphs = cluster.glyphs.clone();
                let is_line_end = i + 1 == clusters.len();
                let tracking = if is_line_end {
                    0.0
                } else {
                    span.style.tracking
                };
                let spacing = if is_line_end { 0.0 } else { extra / run_size };
                if let Some(last) = cluster_glyphs.last_mut() {
                    last.x_advance += tracking + spacing;
                }
                pen += (cluster.advance + tracking + spacing) * run_size;
                glyphs.extend(cluster_glyphs);
                i += 1;
            }
            let font = match span.face {
                FaceKind::Sans => &self.fonts.sans.font,
                FaceKind::Serif => &self.fonts.serif_bold.font,
            };
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: color(span.style.color).into(),
                ..Default::default()
            }));
            surface.draw_glyphs(
                Point::from_xy(run_start, baseline),
                &glyphs,
                font.clone(),
                &self.text,
                run_size,
                false,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::OnceLock;

    fn fonts() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| {
            Fonts::load()
                .expect("Noto CJK fonts (apt-get install fonts-noto-cjk fonts-noto-cjk-extra)")
        })
    }

    fn sample(name: &str, enterprise: &str, serial: &str) -> CertificateData {
        CertificateData {
            serial: serial.to_string(),
            name: name.to_string(),
            enterprise: enterprise.to_string(),
            tier: "企业内审员".to_string(),
            programme: "天津市清洁生产审核培训".to_string(),
            courses: vec![
                "清洁生产概论".to_string(),
                "清洁生产审核方法与实务".to_string(),
                "案例分析".to_string(),
            ],
            hours: 10.5,
            dates: "2014年7月14日至18日".to_string(),
            issuers: vec![
                "天津市经济和信息化委员会".to_string(),
                "天津市环境保护局".to_string(),
            ],
            issued_on: "2014年7月18日".to_string(),
            verify_url: format!("https://academy.example.cn/verify/{serial}"),
        }
    }

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!(
                "academy-pdf-{tag}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Runs a poppler/zbar tool; a missing tool fails the test with the package to install.
    fn run(tool: &str, args: &[&str], package: &str) -> String {
        let output = Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}): apt-get install -y {package}"));
        assert!(
            output.status.success(),
            "`{tool} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 tool output")
    }

    fn write_pdf(dir: &Path, name: &str, bytes: &[u8]) -> String {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn squeeze(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn assert_text_and_fonts(data: &CertificateData) {
        let pdf = render(data, fonts()).expect("render");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200 * 1024, "PDF is {} bytes", pdf.len());
        let dir = TempDir::new("text");
        let path = write_pdf(&dir.0, "c.pdf", &pdf);

        let text = squeeze(&run(
            "pdftotext",
            &["-enc", "UTF-8", &path, "-"],
            "poppler-utils",
        ));
        for needle in [
            "结业证书",
            data.name.as_str(),
            data.serial.as_str(),
            "天津市环境保护局",
            "扫码验证",
        ] {
            assert!(
                text.contains(&squeeze(needle)),
                "{needle:?} not in extracted text {text:?}"
            );
        }
        if !data.enterprise.is_empty() {
            assert!(
                text.contains(&squeeze(&data.enterprise)),
                "{:?} not in {text:?}",
                data.enterprise
            );
        }
        assert!(text.contains("出勤10.5学时"), "hours not in {text:?}");

        let fonts = run("pdffonts", &[&path], "poppler-utils");
        // name type encoding emb sub uni object ID
        let rows: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(rows.len() >= 2, "expected the sans and the serif: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7, "unexpected pdffonts row {row:?}");
            // The last five columns: emb sub uni object ID.
            assert_eq!(cols[n - 5], "yes", "font not embedded: {row}");
            assert_eq!(cols[n - 4], "yes", "font not subset: {row}");
            assert_eq!(cols[n - 3], "yes", "font without ToUnicode: {row}");
            let name = cols[0];
            assert!(
                name.len() > 7 && name.as_bytes()[6] == b'+',
                "subset fonts are named ABCDEF+Name: {row}"
            );
        }
    }

    #[test]
    fn name_outside_the_bmp_survives() {
        assert_text_and_fonts(&sample(
            "王𠮷",
            "天津张䶮化工有限公司",
            "TJCP-2014-7K3M9Q2X",
        ));
    }

    #[test]
    fn middle_dot_and_no_enterprise() {
        assert_text_and_fonts(&sample("阿依古丽·买买提", "", "TJCP-2014-AB12CD34"));
    }

    #[test]
    fn long_texts_wrap_within_the_margins() {
        let mut data = sample(
            "欧阳阿依古丽·买买提",
            "天津市滨海新区经济技术开发区某某精细化工与新材料科技股份有限公司第三分公司",
            "TJCP-2014-LONG0001",
        );
        data.courses = (1..=12)
            .map(|i| format!("清洁生产审核专题课程第{i}讲"))
            .collect();
        data.issuers
            .push("天津市滨海新区经济技术开发区管理委员会环境保护局".to_string());
        assert_text_and_fonts(&data);

        // Every body line stays inside the margins at the size chosen.
        let shaper = Shaper::new(fonts()).unwrap();
        let body = body_paragraph(&shaper, &data).unwrap();
        let (size, lines) = fit_body(&body, mm(70.0)).unwrap();
        assert!(lines.len() > 3, "{} lines", lines.len());
        for line in &lines {
            assert!(
                line.width <= CONTENT_W + 0.01,
                "{} > {CONTENT_W} at {size} pt",
                line.width
            );
        }
        // Nothing lost or duplicated: the lines cover all non-space clusters in order.
        let drawn: String = lines
            .iter()
            .flat_map(|l| body.clusters[l.clusters.clone()].iter())
            .map(|c| &body.text[c.range.clone()])
            .collect();
        assert_eq!(squeeze(&drawn), squeeze(&body.text));
        // No line starts with a closing punctuation mark.
        for line in lines.iter().skip(1) {
            let first = body.clusters[line.clusters.start].first;
            assert!(!NO_LINE_START.contains(first), "line starts with {first}");
        }
    }

    #[test]
    fn qr_code_decodes_to_the_verify_url() {
        let data = sample("王𠮷", "天津张䶮化工有限公司", "TJCP-2014-7K3M9Q2X");
        let pdf = render(&data, fonts()).unwrap();
        let dir = TempDir::new("qr");
        let path = write_pdf(&dir.0, "c.pdf", &pdf);
        let prefix = dir.0.join("page");
        let prefix = prefix.to_str().unwrap();
        run(
            "pdftoppm",
            &["-r", "150", "-png", "-singlefile", &path, prefix],
            "poppler-utils",
        );
        let png = format!("{prefix}.png");
        let decoded = run("zbarimg", &["--raw", "-q", &png], "zbar-tools");
        assert_eq!(decoded.trim_end(), data.verify_url);
    }

    #[test]
    fn a_character_no_font_has_is_an_error() {
        let data = sample("王\u{E000}", "", "TJCP-2014-7K3M9Q2X");
        match render(&data, fonts()) {
            Err(PdfError::MissingGlyph(c)) => assert_eq!(c, '\u{E000}'),
            other => panic!("expected MissingGlyph, got {:?}", other.map(|b| b.len())),
        }
        let message = PdfError::MissingGlyph('\u{E000}').to_string();
        assert!(message.contains("U+E000"), "{message}");
    }

    #[test]
    fn small_and_deterministic() {
        let data = sample("王𠮷", "天津张䶮化工有限公司", "TJCP-2014-7K3M9Q2X");
        let a = render(&data, fonts()).unwrap();
        let b = render(&data, fonts()).unwrap();
        assert!(a.len() < 200 * 1024, "PDF is {} bytes", a.len());
        assert_eq!(a, b, "the same data gives the same bytes");
    }

    #[test]
    fn fonts_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Fonts>();
    }

    #[test]
    fn hours_are_formatted_without_trailing_zeros() {
        assert_eq!(format_hours(10.0), "10");
        assert_eq!(format_hours(10.5), "10.5");
        assert_eq!(format_hours(10.25), "10.25");
    }
}
