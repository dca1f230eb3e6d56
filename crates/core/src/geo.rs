//! Administrative geography across the 1 July 2025 reform.
//!
//! Units of both structures live side by side. The official old-commune →
//! new-commune mapping is the only primary link between them; everything
//! else (district and province successors, which units a scope covers) is
//! derived from it through *atoms*: the pieces `(old commune, new commune)`
//! of the mapping, the finest partition on which both structures agree.
//! A unit's footprint is the set of atoms below it; unit `U` lies within
//! unit `S` when `atoms(U) ⊆ atoms(S)`.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use time::Date;

/// The day the two-tier structure (no districts) took effect.
pub const REFORM_DATE: Date = time::macros::date!(2025 - 07 - 01);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Country,
    Province,
    District,
    Commune,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "country" => Some(Level::Country),
            "province" => Some(Level::Province),
            "district" => Some(Level::District),
            "commune" => Some(Level::Commune),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    Old,
    New,
    /// Units valid in both structures (the country itself).
    Both,
}

impl Era {
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Old => "old",
            Era::New => "new",
            Era::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Era> {
        match s {
            "old" => Some(Era::Old),
            "new" => Some(Era::New),
            "both" => Some(Era::Both),
            _ => None,
        }
    }
}

/// Whether a unit with this validity exists on `day` (bounds inclusive).
pub fn valid_on(valid_from: Option<Date>, valid_to: Option<Date>, day: Date) -> bool {
    valid_from.is_none_or(|f| f <= day) && valid_to.is_none_or(|t| day <= t)
}

/// Which structure is in force on `day`.
pub fn era_on(day: Date) -> Era {
    if day < REFORM_DATE {
        Era::Old
    } else {
        Era::New
    }
}

/// A unit as the derivations below need it.
#[derive(Debug, Clone)]
pub struct UnitNode {
    pub id: i64,
    pub era: Era,
    pub level: Level,
    pub parent: Option<i64>,
}

/// One row of the official mapping: this old commune became (part of) this new commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommuneLink {
    pub old: i64,
    pub new: i64,
    pub partly: bool,
}

/// A derived link between an old unit and a new unit of the corresponding level
/// (province → province, district → commune, commune → commune).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Succession {
    pub old: i64,
    pub new: i64,
    /// Only part of the old unit went into the new one.
    pub partly: bool,
}

/// Everything derived from the units and the commune mapping.
#[derive(Debug, Default)]
pub struct Derived {
    /// `(scope, unit)`: unit lies within scope (reflexive).
    pub cover: Vec<(i64, i64)>,
    /// Old → new successions for every old unit that has any.
    pub successions: Vec<Succession>,
}

/// Derive coverage and successions. Units of era `Both` (the country) cover everything.
pub fn derive(units: &[UnitNode], links: &[CommuneLink]) -> Derived {
    let by_id: HashMap<i64, &UnitNode> = units.iter().map(|u| (u.id, u)).collect();
    // Atoms: one per mapping row, plus a singleton for every commune the mapping misses.
    let mut atoms_of_leaf: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut atom_count = 0usize;
    for l in links {
        atoms_of_leaf.entry(l.old).or_default().push(atom_count);
        atoms_of_leaf.entry(l.new).or_default().push(atom_count);
        atom_count += 1;
    }
    for u in units {
        if u.level == Level::Commune && !atoms_of_leaf.contains_key(&u.id) {
            atoms_of_leaf.insert(u.id, vec![atom_count]);
            atom_count += 1;
        }
    }
    // Footprint of every unit: its own atoms (communes) plus those of its descendants.
    let mut footprint: HashMap<i64, BTreeSet<usize>> = HashMap::new();
    let countries: Vec<i64> = units
        .iter()
        .filter(|u| u.era == Era::Both)
        .map(|u| u.id)
        .collect();
    for (leaf, atoms) in &atoms_of_leaf {
        let mut cur = Some(*leaf);
        let mut guard = 0;
        while let Some(id) = cur {
            let Some(node) = by_id.get(&id) else { break };
            footprint
                .entry(id)
                .or_default()
                .extend(atoms.iter().copied());
            cur = node.parent;
            guard += 1;
            if guard > 8 {
                break;
            }
        }
    }
    for c in &countries {
        footprint.insert(*c, (0..atom_count).collect());
    }
    // Which units contain each atom.
    let mut holders: Vec<Vec<i64>> = vec![Vec::new(); atom_count];
    let mut ids: Vec<i64> = footprint.keys().copied().collect();
    ids.sort_unstable();
    for id in &ids {
        for a in &footprint[id] {
            holders[*a].push(*id);
        }
    }
    let partly_links: std::collections::HashSet<(i64, i64)> = links
        .iter()
        .filter(|l| l.partly)
        .map(|l| (l.old, l.new))
        .collect();
    let mut cover = Vec::new();
    let mut successions = Vec::new();
    for id in &ids {
        let fp = &footprint[id];
        let Some(first) = fp.iter().next() else {
            continue;
        };
        for cand in &holders[*first] {
            if fp.is_subset(&footprint[cand]) {
                cover.push((*cand, *id));
            }
        }
        let node = by_id[id];
        if node.era != Era::Old {
            continue;
        }
        let target = match node.level {
            Level::Province => Level::Province,
            Level::District | Level::Commune => Level::Commune,
            Level::Country => continue,
        };
        let mut news: BTreeSet<i64> = BTreeSet::new();
        for a in fp {
            for h in &holders[*a] {
                let hn = by_id[h];
                if hn.era == Era::New && hn.level == target {
                    news.insert(*h);
                }
            }
        }
        for n in news {
            let partly = if node.level == Level::Commune {
                partly_links.contains(&(*id, n)) || !fp.is_subset(&footprint[&n])
            } else {
                !fp.is_subset(&footprint[&n])
            };
            successions.push(Succession {
                old: *id,
                new: n,
                partly,
            });
        }
    }
    cover.sort_unstable();
    Derived { cover, successions }
}

/// A unit as the roll-up needs it.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

/// Roll a unit up to the unit(s) that stand for it on `day`: itself when it is
/// valid then, else its successors (following the chain as far as needed).
/// `successors(id)` gives the direct successors of a unit.
pub fn rollup<F, V>(unit: i64, day: Date, validity: V, successors: F) -> Vec<i64>
where
    F: Fn(i64) -> Vec<i64>,
    V: Fn(i64) -> Option<Validity>,
{
    let mut out = BTreeSet::new();
    let mut stack = vec![(unit, 0u8)];
    while let Some((id, depth)) = stack.pop() {
        let Some(v) = validity(id) else { continue };
        if valid_on(v.valid_from, v.valid_to, day) {
            out.insert(id);
            continue;
        }
        if depth >= 8 {
            continue;
        }
        for s in successors(id) {
            stack.push((s, depth + 1));
        }
    }
    out.into_iter().collect()
}

/// A unit as a code lookup sees it (an import resolves its codes against all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedUnit {
    pub id: i64,
    /// `country`, `province`, `district` or `commune`, as stored.
    pub level: String,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

/// The unit among those carrying one code that the code names on `day`: one
/// valid on the day, the first by stored level text, then by id (the store's
/// `by_code`: `ORDER BY level LIMIT 1`).
pub fn code_on(units: &[CodedUnit], day: Date) -> Option<i64> {
    units
        .iter()
        .filter(|u| valid_on(u.valid_from, u.valid_to, day))
        .min_by(|a, b| a.level.cmp(&b.level).then(a.id.cmp(&b.id)))
        .map(|u| u.id)
}

/// What a code names (the store's `resolve`): on `day` when one is given;
/// otherwise the unit of today, else the last one before the 2025 reform.
pub fn resolve_code(units: &[CodedUnit], day: Option<Date>, today: Date) -> Option<i64> {
    if let Some(d) = day {
        return code_on(units, d);
    }
    code_on(units, today).or_else(|| {
        let before = REFORM_DATE.previous_day().unwrap_or(REFORM_DATE);
        code_on(units, before)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn node(id: i64, era: Era, level: Level, parent: Option<i64>) -> UnitNode {
        UnitNode {
            id,
            era,
            level,
            parent,
        }
    }

    /// Country 1; old province 10 (districts 11, 12; communes 111, 112, 121);
    /// old province 20 (district 21; commune 211); new province 30 (communes 31, 32)
    /// absorbing both; commune 121 split between 31 and 32.
    fn sample() -> (Vec<UnitNode>, Vec<CommuneLink>) {
        let units = vec![
            node(1, Era::Both, Level::Country, None),
            node(10, Era::Old, Level::Province, Some(1)),
            node(11, Era::Old, Level::District, Some(10)),
            node(12, Era::Old, Level::District, Some(10)),
            node(111, Era::Old, Level::Commune, Some(11)),
            node(112, Era::Old, Level::Commune, Some(11)),
            node(121, Era::Old, Level::Commune, Some(12)),
            node(20, Era::Old, Level::Province, Some(1)),
            node(21, Era::Old, Level::District, Some(20)),
            node(211, Era::Old, Level::Commune, Some(21)),
            node(30, Era::New, Level::Province, Some(1)),
            node(31, Era::New, Level::Commune, Some(30)),
            node(32, Era::New, Level::Commune, Some(30)),
        ];
        let l = |old, new, partly| CommuneLink { old, new, partly };
        let links = vec![
            l(111, 31, false),
            l(112, 31, false),
            l(121, 31, true),
            l(121, 32, true),
            l(211, 32, false),
        ];
        (units, links)
    }

    #[test]
    fn new_province_covers_old_provinces_it_absorbed() {
        let (u, l) = sample();
        let d = derive(&u, &l);
        for old in [10, 11, 12, 111, 112, 121, 20, 21, 211] {
            assert!(d.cover.contains(&(30, old)), "30 should cover {old}");
        }
        assert!(d.cover.contains(&(1, 30)));
        assert!(d.cover.contains(&(1, 211)));
    }

    #[test]
    fn cover_is_reflexive_and_strict_about_partial_merges() {
        let (u, l) = sample();
        let d = derive(&u, &l);
        assert!(d.cover.contains(&(31, 31)));
        assert!(d.cover.contains(&(31, 111)));
        // 121 was split: neither new commune alone covers it.
        assert!(!d.cover.contains(&(31, 121)));
        assert!(!d.cover.contains(&(32, 121)));
        // old district 11 holds all of new commune 31? No: 31 also took part of 121.
        assert!(!d.cover.contains(&(11, 31)));
        // Old province 10 does not cover new commune 32 (which took 211 of province 20).
        assert!(!d.cover.contains(&(10, 32)));
        // Nothing in province 20 is covered by district 11.
        assert!(!d.cover.contains(&(11, 211)));
    }

    #[test]
    fn successions_follow_the_mapping() {
        let (u, l) = sample();
        let d = derive(&u, &l);
        let s = |old| -> Vec<(i64, bool)> {
            d.successions
                .iter()
                .filter(|x| x.old == old)
                .map(|x| (x.new, x.partly))
                .collect()
        };
        assert_eq!(s(111), vec![(31, false)]);
        assert_eq!(s(121), vec![(31, true), (32, true)]);
        assert_eq!(s(10), vec![(30, false)]);
        assert_eq!(s(20), vec![(30, false)]);
        assert_eq!(s(12), vec![(31, true), (32, true)]);
        assert_eq!(s(11), vec![(31, false)]);
    }

    #[test]
    fn rollup_goes_to_the_units_in_force() {
        let (u, l) = sample();
        let d = derive(&u, &l);
        let validity = |id: i64| {
            let era = u.iter().find(|n| n.id == id)?.era;
            Some(match era {
                Era::Old => Validity {
                    valid_from: None,
                    valid_to: Some(date!(2025 - 06 - 30)),
                },
                Era::New => Validity {
                    valid_from: Some(REFORM_DATE),
                    valid_to: None,
                },
                Era::Both => Validity {
                    valid_from: None,
                    valid_to: None,
                },
            })
        };
        let succ = |id: i64| {
            d.successions
                .iter()
                .filter(|s| s.old == id)
                .map(|s| s.new)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rollup(121, date!(2026 - 01 - 01), validity, succ),
            vec![31, 32]
        );
        assert_eq!(
            rollup(121, date!(2017 - 01 - 01), validity, succ),
            vec![121]
        );
        assert_eq!(rollup(10, date!(2026 - 01 - 01), validity, succ), vec![30]);
        assert_eq!(rollup(1, date!(2026 - 01 - 01), validity, succ), vec![1]);
    }

    #[test]
    fn validity_and_era() {
        assert!(valid_on(
            None,
            Some(date!(2025 - 06 - 30)),
            date!(2025 - 06 - 30)
        ));
        assert!(!valid_on(None, Some(date!(2025 - 06 - 30)), REFORM_DATE));
        assert!(valid_on(Some(REFORM_DATE), None, REFORM_DATE));
        assert_eq!(era_on(date!(2017 - 01 - 01)), Era::Old);
        assert_eq!(era_on(date!(2025 - 07 - 01)), Era::New);
        assert_eq!(Level::parse("commune"), Some(Level::Commune));
        assert_eq!(Level::parse("x"), None);
    }
    #[test]
    fn codes_resolve_as_the_store_does() {
        let u = |id, level: &str, from, to| CodedUnit {
            id,
            level: level.into(),
            valid_from: from,
            valid_to: to,
        };
        let before = Some(date!(2025 - 06 - 30));
        // One code held by an old district and (after the reform) a new commune.
        let units = vec![
            u(7, "district", None, before),
            u(9, "commune", Some(REFORM_DATE), None),
        ];
        assert_eq!(code_on(&units, date!(2017 - 01 - 01)), Some(7));
        assert_eq!(code_on(&units, date!(2026 - 01 - 01)), Some(9));
        assert_eq!(
            resolve_code(&units, Some(date!(2020 - 01 - 01)), date!(2026 - 01 - 01)),
            Some(7)
        );
        assert_eq!(resolve_code(&units, None, date!(2026 - 01 - 01)), Some(9));
        // Valid on the same day: the first by level text ("commune" < "district"), then id.
        let both = vec![
            u(5, "district", None, None),
            u(6, "commune", None, None),
            u(4, "commune", None, None),
        ];
        assert_eq!(code_on(&both, date!(2020 - 01 - 01)), Some(4));
        // No unit today: the last one before the reform.
        let old = vec![u(3, "commune", None, before)];
        assert_eq!(resolve_code(&old, None, date!(2026 - 01 - 01)), Some(3));
        assert_eq!(
            resolve_code(&old, Some(date!(2026 - 01 - 01)), date!(2026 - 01 - 01)),
            None
        );
        assert_eq!(resolve_code(&[], None, date!(2026 - 01 - 01)), None);
    }
}
