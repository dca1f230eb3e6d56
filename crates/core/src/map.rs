//! The map: which era and measure a reader asked for, how values fall into the
//! choropleth's bins, and how longitude/latitude become SVG coordinates.
//! Pure functions; the shapes and the figures come from the store.

/// The administrative structure the provinces are drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapEra {
    /// 63 provinces, before 1 July 2025.
    Old,
    /// 34 provinces, from 1 July 2025.
    New,
}

impl MapEra {
    pub fn parse(s: &str) -> Option<MapEra> {
        match s {
            "old" => Some(MapEra::Old),
            "new" => Some(MapEra::New),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            MapEra::Old => "old",
            MapEra::New => "new",
        }
    }
    /// Provinces drawn in this era.
    pub fn province_count(self) -> usize {
        match self {
            MapEra::Old => 63,
            MapEra::New => 34,
        }
    }
}

/// What the provinces are coloured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Craft villages in the registry.
    Villages,
    /// Recognised villages (status recognised or traditional).
    Recognised,
    /// Approved reports / expected reports, in the periods still open.
    ReportingRate,
    /// Reported value / reported target of one indicator, latest period.
    Achievement,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Villages,
        Measure::Recognised,
        Measure::ReportingRate,
        Measure::Achievement,
    ];
    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Villages => "villages",
            Measure::Recognised => "recognised",
            Measure::ReportingRate => "reporting_rate",
            Measure::Achievement => "achievement",
        }
    }
    /// A share (0..1, shown as a percentage) rather than a count.
    pub fn is_ratio(self) -> bool {
        matches!(self, Measure::ReportingRate | Measure::Achievement)
    }
}

/// What the village points are coloured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointsBy {
    Status,
    Ocop,
    Environment,
    /// No points.
    None,
}

impl PointsBy {
    pub fn parse(s: &str) -> Option<PointsBy> {
        match s {
            "status" => Some(PointsBy::Status),
            "ocop" => Some(PointsBy::Ocop),
            "environment" => Some(PointsBy::Environment),
            "none" => Some(PointsBy::None),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PointsBy::Status => "status",
            PointsBy::Ocop => "ocop",
            PointsBy::Environment => "environment",
            PointsBy::None => "none",
        }
    }
}

/// Number of colour classes of the choropleth (plus "no data").
pub const BINS: usize = 5;

/// One class of the legend: values in `[from, to]` (the last class includes `to`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub index: usize,
    pub from: f64,
    pub to: f64,
}

/// The legend's classes for these values. Shares use fixed fifths (0-20 % …
/// 80-100 %, above 100 % falls in the last class), so two maps compare; counts
/// use equal steps from 0 to the largest value, rounded up to whole numbers.
/// No value (or only zeros for counts) gives a single class 0-0.
pub fn bins(values: &[f64], ratio: bool) -> Vec<Bin> {
    if ratio {
        return (0..BINS)
            .map(|i| Bin {
                index: i,
                from: i as f64 / BINS as f64,
                to: (i + 1) as f64 / BINS as f64,
            })
            .collect();
    }
    let max = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .ceil();
    if max <= 0.0 {
        return vec![Bin {
            index: 0,
            from: 0.0,
            to: 0.0,
        }];
    }
    let n = (max as usize).min(BINS);
    let step = (max / n as f64).ceil();
    (0..n)
        .map(|i| Bin {
            index: i,
            from: if i == 0 { 0.0 } else { i as f64 * step + 1.0 },
            to: ((i + 1) as f64 * step).min(max),
        })
        .filter(|b| b.from <= b.to)
        .collect()
}

/// The class a value falls in (values past the last class fall in the last).
pub fn bin_of(value: f64, bins: &[Bin]) -> usize {
    bins.iter()
        .find(|b| value <= b.to && (b.index + 1 < bins.len() || value >= b.from))
        .or(bins.last())
        .map(|b| b.index)
        .unwrap_or(0)
}

/// A box of longitude/latitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    pub const EMPTY: BBox = BBox {
        min_lon: f64::INFINITY,
        min_lat: f64::INFINITY,
        max_lon: f64::NEG_INFINITY,
        max_lat: f64::NEG_INFINITY,
    };
    pub fn add(&mut self, lon: f64, lat: f64) {
        self.min_lon = self.min_lon.min(lon);
        self.max_lon = self.max_lon.max(lon);
        self.min_lat = self.min_lat.min(lat);
        self.max_lat = self.max_lat.max(lat);
    }
    pub fn is_empty(&self) -> bool {
        self.min_lon > self.max_lon || self.min_lat > self.max_lat
    }
    /// The box grown by `frac` of its size on each side.
    pub fn padded(&self, frac: f64) -> BBox {
        let dx = (self.max_lon - self.min_lon).max(0.05) * frac;
        let dy = (self.max_lat - self.min_lat).max(0.05) * frac;
        BBox {
            min_lon: self.min_lon - dx,
            max_lon: self.max_lon + dx,
            min_lat: self.min_lat - dy,
            max_lat: self.max_lat + dy,
        }
    }
}

/// Equirectangular projection with the longitude shrunk by cos(latitude at
/// the box's middle), fitted into a box `width` wide; the height follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub bbox: BBox,
    pub k: f64,
    pub cos: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    pub fn fit(bbox: BBox, width: f64) -> Projection {
        let mid = (bbox.min_lat + bbox.max_lat) / 2.0;
        let cos = mid.to_radians().cos();
        let span_x = ((bbox.max_lon - bbox.min_lon) * cos).max(1e-9);
        let k = width / span_x;
        let height = ((bbox.max_lat - bbox.min_lat) * k).max(1.0);
        Projection {
            bbox,
            k,
            cos,
            width,
            height,
        }
    }
    /// SVG coordinates (y down) of a point.
    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.bbox.min_lon) * self.cos * self.k,
            (self.bbox.max_lat - lat) * self.k,
        )
    }
}

/// Rings of polygons (GeoJSON Polygon / MultiPolygon coordinates flattened
/// to a list of rings) as one SVG path, one decimal.
pub fn svg_path(rings: &[Vec<(f64, f64)>], p: &Projection) -> String {
    let mut d = String::new();
    for ring in rings {
        let mut last = None;
        for (i, (lon, lat)) in ring.iter().enumerate() {
            let (x, y) = p.xy(*lon, *lat);
            let pt = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            if last == Some(pt) {
                continue;
            }
            last = Some(pt);
            d.push(if i == 0 { 'M' } else { 'L' });
            d.push_str(&format!(
                "{:.1} {:.1}",
                pt.0 as f64 / 10.0,
                pt.1 as f64 / 10.0
            ));
        }
        if !ring.is_empty() {
            d.push('Z');
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn params_round_trip() {
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.as_str()), Some(m));
        }
        assert_eq!(Measure::parse("households"), None);
        assert_eq!(MapEra::parse("old").map(MapEra::province_count), Some(63));
        assert_eq!(MapEra::parse("new").map(MapEra::province_count), Some(34));
        assert_eq!(MapEra::parse("2017"), None);
        assert_eq!(PointsBy::parse("ocop"), Some(PointsBy::Ocop));
    }

    #[test]
    fn count_bins_cover_zero_to_max() {
        let b = bins(&[0.0, 3.0, 12.0, 7.0], false);
        assert_eq!(b.len(), 4, "steps of 3: 0-3, 4-6, 7-9, 10-12");
        assert_eq!(b[0].from, 0.0);
        assert_eq!(b.last().map(|b| b.to), Some(12.0));
        assert_eq!(bin_of(0.0, &b), 0);
        assert_eq!(bin_of(12.0, &b), 3);
        assert_eq!(bin_of(4.0, &b), 1);
        // Few distinct values: no more classes than values.
        assert_eq!(bins(&[1.0, 2.0], false).len(), 2);
        assert_eq!(bins(&[], false).len(), 1);
    }

    #[test]
    fn ratio_bins_are_fifths() {
        let b = bins(&[], true);
        assert_eq!(b.len(), 5);
        assert_eq!(bin_of(0.0, &b), 0);
        assert_eq!(bin_of(0.5, &b), 2);
        assert_eq!(bin_of(1.0, &b), 4);
        assert_eq!(bin_of(1.7, &b), 4);
    }

    #[test]
    fn projection_keeps_north_up_and_shrinks_longitude() {
        let mut bb = BBox::EMPTY;
        bb.add(102.0, 8.0);
        bb.add(110.0, 24.0);
        let p = Projection::fit(bb, 400.0);
        let (x0, y0) = p.xy(102.0, 24.0);
        assert!(x0.abs() < 1e-9 && y0.abs() < 1e-9);
        let (x1, y1) = p.xy(110.0, 8.0);
        assert!((x1 - 400.0).abs() < 1e-6);
        // 16 degrees of latitude against 8 of longitude at cos(16°): taller than wide.
        assert!(y1 > 2.0 * x1 * 0.95);
        assert_eq!(
            svg_path(&[vec![(102.0, 24.0), (110.0, 8.0)]], &p)
                .chars()
                .next(),
            Some('M')
        );
    }

    proptest! {
        #[test]
        fn every_value_falls_in_a_listed_bin(vals in proptest::collection::vec(0.0f64..10_000.0, 0..50), ratio: bool) {
            let b = bins(&vals, ratio);
            prop_assert!(!b.is_empty() && b.len() <= BINS);
            for v in &vals {
                let i = bin_of(*v, &b);
                prop_assert!(i < b.len());
                if !ratio {
                    prop_assert!(*v <= b[i].to + 1.0 && (*v).ceil() >= b[i].from - 1.0);
                }
            }
        }
    }
}
