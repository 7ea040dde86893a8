//! Query-string parsing shared by pages and the API: one parser per filter, so a page and
//! its `/api/` twin accept exactly the same parameters.

use super::Failure;
use crate::data::{SearchQuery, SessionFilter, SortKey, UsageDim, UsageQuery};
use convx_model::{Agent, Timestamp};
use jiff::tz::TimeZone;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters kept as-is in query values and path segments.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode a query value or path segment.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, KEEP).to_string()
}

/// The query string's pairs, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The first non-empty value of `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// The value of `name` or the empty string (for form fields).
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }

    /// This query with `changes` applied (`None` removes a key), as `?a=b&c=d` (or empty).
    pub fn with(&self, changes: &[(&str, Option<String>)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, v)| !v.trim().is_empty() && !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (k, v) in changes {
            if let Some(v) = v {
                pairs.push(((*k).to_string(), v.clone()));
            }
        }
        if pairs.is_empty() {
            return String::new();
        }
        let q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("?{}", q.join("&"))
    }

    /// `agent`.
    pub fn agent(&self) -> Result<Option<Agent>, Failure> {
        self.get("agent")
            .map(|a| a.parse::<Agent>().map_err(|e| Failure::bad(e.to_string())))
            .transpose()
    }

    /// `since` (a day's start) and `until` (the end of that day: the range includes it).
    pub fn range(&self, tz: &TimeZone) -> Result<(Option<Timestamp>, Option<Timestamp>), Failure> {
        let since = self
            .get("since")
            .map(|s| parse_time(s, tz, false))
            .transpose()?;
        let until = self
            .get("until")
            .map(|s| parse_time(s, tz, true))
            .transpose()?;
        Ok((since, until))
    }

    /// A positive integer parameter, with a default and a maximum.
    pub fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, Failure> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .map(|n| n.min(max))
                .ok_or_else(|| {
                    Failure::bad(format!("`{name}` must be a positive number, not `{v}`"))
                }),
        }
    }

    /// The session-list filter (`page` is 1-based; `per_page` rows per page).
    pub fn session_filter(&self, tz: &TimeZone, per_page: usize) -> Result<SessionFilter, Failure> {
        let (since, until) = self.range(tz)?;
        let sort = match self.get("sort") {
            None => SortKey::Start,
            Some(s) => SortKey::parse(s).ok_or_else(|| {
                let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.name()).collect();
                Failure::bad(format!("unknown sort `{s}` (one of {})", names.join(", ")))
            })?,
        };
        let descending = match self.get("order") {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(o) => {
                return Err(Failure::bad(format!(
                    "order must be asc or desc, not `{o}`"
                )));
            }
        };
        let has_errors = match self.get("errors") {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(o) => return Err(Failure::bad(format!("errors must be yes or no, not `{o}`"))),
        };
        let limit = self.number("limit", per_page, 1000)?;
        let page = self.number("page", 1, 1_000_000)?;
        Ok(SessionFilter {
            agent: self.agent()?,
            project: self.get("project").map(str::to_string),
            model: self.get("model").map(str::to_string),
            since,
            until,
            has_errors,
            sort,
            descending,
            offset: (page - 1) * limit,
            limit,
        })
    }

    /// The search query.
    pub fn search_query(
        &self,
        tz: &TimeZone,
        default_limit: usize,
    ) -> Result<SearchQuery, Failure> {
        let (since, until) = self.range(tz)?;
        Ok(SearchQuery {
            text: self.get("q").unwrap_or("").to_string(),
            agent: self.agent()?,
            project: self.get("project").map(str::to_string),
            since,
            until,
            role: self.get("role").map(str::to_string),
            tool: self.get("tool").map(str::to_string),
            limit: self.number("limit", default_limit, 1000)?,
        })
    }

    /// The usage query (`by` repeatable).
    pub fn usage_query(&self, tz: &TimeZone) -> Result<UsageQuery, Failure> {
        let (since, until) = self.range(tz)?;
        let by = self
            .all("by")
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(|d| {
                UsageDim::parse(d.trim()).ok_or_else(|| {
                    let names: Vec<&str> = UsageDim::ALL.iter().map(|d| d.name()).collect();
                    Failure::bad(format!(
                        "unknown grouping `{d}` (one of {})",
                        names.join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UsageQuery {
            by,
            since,
            until,
            agent: self.agent()?,
            project: self.get("project").map(str::to_string),
        })
    }
}

/// `YYYY-MM-DD` (a day in `tz`; with `end_of_day` the start of the next day) or RFC 3339.
pub fn parse_time(s: &str, tz: &TimeZone, end_of_day: bool) -> Result<Timestamp, Failure> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let bad = || {
        Failure::bad(format!(
            "cannot read `{s}` as a date: use YYYY-MM-DD or an RFC 3339 time"
        ))
    };
    let d: jiff::civil::Date = s.parse().map_err(|_| bad())?;
    let d = if end_of_day {
        d.tomorrow().map_err(|_| bad())?
    } else {
        d
    };
    d.to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|_| bad())
}

/// The form value of a time filter: the day it names in `tz` (the inclusive last day for
/// `until`).
pub fn day_value(t: Option<Timestamp>, tz: &TimeZone, until: bool) -> String {
    t.map(|t| {
        let t = if until {
            t.checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap_or(t)
        } else {
            t
        };
        t.to_zoned(tz.clone()).date().to_string()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn dates_cover_whole_days() {
        let tz = TimeZone::UTC;
        let q = p(&[("since", "2026-03-01"), ("until", "2026-03-02")]);
        let (s, u) = q.range(&tz).unwrap();
        assert_eq!(s.unwrap().to_string(), "2026-03-01T00:00:00Z");
        assert_eq!(u.unwrap().to_string(), "2026-03-03T00:00:00Z");
        assert_eq!(day_value(u, &tz, true), "2026-03-02");
        assert!(p(&[("since", "yesterday")]).range(&tz).is_err());
    }

    #[test]
    fn with_replaces_and_encodes() {
        let q = p(&[("agent", "codex"), ("sort", "tokens"), ("project", "a b&c")]);
        assert_eq!(
            q.with(&[("sort", Some("cost".into())), ("agent", None)]),
            "?project=a%20b%26c&sort=cost"
        );
        assert_eq!(p(&[]).with(&[]), "");
    }

    #[test]
    fn bad_values_are_400s() {
        let tz = TimeZone::UTC;
        assert!(p(&[("agent", "nope")]).session_filter(&tz, 10).is_err());
        assert!(p(&[("sort", "nope")]).session_filter(&tz, 10).is_err());
        assert!(p(&[("page", "0")]).session_filter(&tz, 10).is_err());
        let f = p(&[("page", "3"), ("errors", "yes")])
            .session_filter(&tz, 10)
            .unwrap();
        assert_eq!((f.offset, f.limit, f.has_errors), (20, 10, Some(true)));
        let u = p(&[("by", "day,model"), ("by", "agent")])
            .usage_query(&tz)
            .unwrap();
        assert_eq!(u.by, vec![UsageDim::Day, UsageDim::Model, UsageDim::Agent]);
    }
}
