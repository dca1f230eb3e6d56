//! Errors of this crate. Each variant carries what a web layer needs to build a
//! localised message; `Display` is English and meant for logs.

/// Why an export or an import failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The upload is larger than [`crate::Limits::max_bytes`].
    #[error("file is larger than the limit of {max} bytes")]
    TooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// The sheet has more data rows than [`crate::Limits::max_rows`].
    #[error("file has more than {max} data rows")]
    TooManyRows {
        /// The limit in rows.
        max: usize,
    },
    /// A row has values beyond [`crate::MAX_COLUMNS`] columns.
    #[error("file has values beyond column {max}")]
    TooManyColumns {
        /// The limit in columns.
        max: usize,
    },
    /// The xlsx archive declares sizes or ratios typical of a decompression bomb.
    #[error("archive refused: its uncompressed size or compression ratio is too large")]
    ZipBomb,
    /// The content is not xlsx or CSV (legacy .xls, PDF, image, other archive, …).
    #[error("unsupported file format ({detected}); upload an .xlsx file or a UTF-8 CSV")]
    UnsupportedFormat {
        /// Short lowercase name of what was found, e.g. `xls`, `pdf`, `png`, `ods`.
        detected: String,
    },
    /// Text that is not UTF-8 (Windows-1258, latin-1, UTF-16, …).
    #[error("text is not UTF-8; save the file as \"CSV UTF-8\"")]
    Encoding,
    /// No header row was found (empty file or empty sheet).
    #[error("file is empty")]
    Empty,
    /// The requested worksheet does not exist.
    #[error("worksheet {name:?} not found")]
    SheetNotFound {
        /// The requested name.
        name: String,
    },
    /// The xlsx could not be written or read.
    #[error("xlsx: {0}")]
    Xlsx(String),
    /// The CSV could not be read.
    #[error("csv: {0}")]
    Csv(String),
    /// An official report could not be rendered (PDF: typst's messages; DOCX:
    /// the writer's error).
    #[error("render: {0}")]
    Render(String),
}

impl From<rust_xlsxwriter::XlsxError> for ReportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ReportError::Xlsx(e.to_string())
    }
}

impl From<calamine::XlsxError> for ReportError {
    fn from(e: calamine::XlsxError) -> Self {
        ReportError::Xlsx(e.to_string())
    }
}
