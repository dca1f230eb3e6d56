//! A minimal, in-memory typst [`World`]: one source file (the embedded template),
//! one data file (`/data.json`, the report), our fonts, no packages, no file system,
//! no clock.

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::fonts;

/// The layout, in typst markup. It only reads `/data.json`.
const TEMPLATE: &str = include_str!("report.typ");
/// Path of the template in the virtual project.
const MAIN_PATH: &str = "/report.typ";
/// Path of the report data in the virtual project.
pub(crate) const DATA_PATH: &str = "/data.json";

/// What every compilation shares: built once per process. File ids are interned
/// globally by typst (and never freed), so they must be created once, not per call.
struct Shared {
    library: LazyHash<Library>,
    main_id: FileId,
    data_id: FileId,
    main: Source,
}

fn shared() -> Result<&'static Shared, String> {
    static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let id = |path: &str| {
                VirtualPath::new(path)
                    .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
                    .map_err(|e| format!("virtual path {path}: {e}"))
            };
            let main_id = id(MAIN_PATH)?;
            let data_id = id(DATA_PATH)?;
            Ok(Shared {
                library: LazyHash::new(Library::default()),
                main_id,
                data_id,
                main: Source::new(main_id, TEMPLATE.to_owned()),
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// One compilation: the shared parts plus this report's JSON.
pub(crate) struct ReportWorld {
    shared: &'static Shared,
    book: &'static LazyHash<FontBook>,
    fonts: &'static [Font],
    data: Bytes,
}

impl ReportWorld {
    /// A world whose `/data.json` holds `json`.
    pub(crate) fn new(json: Vec<u8>) -> Result<Self, String> {
        let f = fonts();
        Ok(Self {
            shared: shared()?,
            book: &f.book,
            fonts: &f.fonts,
            data: Bytes::new(json),
        })
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book
    }

    fn main(&self) -> FileId {
        self.shared.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main_id {
            Ok(self.shared.main.clone())
        } else if id == self.shared.data_id {
            Err(FileError::NotSource)
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data_id {
            Ok(self.data.clone())
        } else if id == self.shared.main_id {
            Ok(Bytes::from_string(TEMPLATE))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
