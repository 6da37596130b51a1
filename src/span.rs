//! Byte spans: where in the parsed text each part of a statement, a
//! literal or an error lies. The base every layer shares.

/// A byte range `start..end` in the text that was parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// The same span moved `by` bytes to the right (for statements parsed
    /// out of a longer text).
    pub fn shift(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}
