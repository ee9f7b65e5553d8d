//! The one grammar of durations and sizes that people type: every duration and size flag of
//! every command, and `kbundle serve --faults`, parse with these functions (docs/units.md).

use std::time::Duration;

/// A duration that does not follow [`parse_duration`]'s grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?} (examples: 90, 30s, 5m, 1h30m, 2d, 250ms, 1.5h, PT24H)")]
pub struct DurationError {
    input: String,
}

/// A size that does not follow [`parse_size`]'s grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid size {input:?} (examples: 1000, 25MB, 4MiB, 1.5k; units B, KB, MB, GB, KiB, MiB, GiB)"
)]
pub struct SizeError {
    input: String,
}

/// The longest duration accepted: what `jiff::SignedDuration` holds (`i64` seconds).
const MAX_SECONDS: u64 = i64::MAX as u64;

/// Parses a duration:
///
/// - one or more `<number><unit>`, units `ms`, `s`, `m`, `h`, `d` (`1h30m`, `250ms`), where a
///   number may have a fraction (`1.5h`; nanoseconds beyond are dropped);
/// - a bare number, which is seconds (`90`);
/// - an ISO 8601 duration of hours, minutes and seconds (`PT24H`, `PT1H30M`; days are
///   calendar days there: write `2d`).
///
/// Never negative; surrounding whitespace is ignored; anything else is an error.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let err = || DurationError {
        input: s.to_string(),
    };
    let t = s.trim();
    if t.starts_with(['P', 'p']) {
        let d: jiff::SignedDuration = t.parse().map_err(|_| err())?;
        return Duration::try_from(d).map_err(|_| err());
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = t.parse().map_err(|_| err())?;
        return (secs <= MAX_SECONDS)
            .then(|| Duration::from_secs(secs))
            .ok_or_else(err);
    }
    let mut nanos: u128 = 0;
    let mut rest = t;
    if rest.is_empty() {
        return Err(err());
    }
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        let (number, tail) = rest.split_at(number_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            _ => return Err(err()),
        };
        nanos = nanos
            .checked_add(scaled(number, unit_nanos).ok_or_else(err)?)
            .ok_or_else(err)?;
        rest = tail;
    }
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| err())?;
    if secs > MAX_SECONDS {
        return Err(err());
    }
    // The remainder is below 10^9.
    let sub = u32::try_from(nanos % 1_000_000_000).map_err(|_| err())?;
    Ok(Duration::new(secs, sub))
}

/// `number` (`12`, `1.5`, `.5`) times `unit` nanoseconds, truncated to whole nanoseconds.
fn scaled(number: &str, unit: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut value = whole.checked_mul(unit)?;
    // Nine digits are exact to the nanosecond for every unit; more are dropped.
    let digits = fraction.get(..fraction.len().min(9)).unwrap_or_default();
    if !digits.is_empty() {
        let f: u128 = digits.parse().ok()?;
        let denominator = 10u128.checked_pow(u32::try_from(digits.len()).ok()?)?;
        value = value.checked_add(f.checked_mul(unit)? / denominator)?;
    }
    Some(value)
}

/// Parses a size in bytes: a number (a fraction is allowed) with an optional unit `B`,
/// `K`/`KB`, `M`/`MB`, `G`/`GB` (powers of 1000) or `Ki`/`KiB`, `Mi`/`MiB`, `Gi`/`GiB`
/// (powers of 1024), case-insensitive (`25MB`, `4MiB`, `1000`, `1.5k`). Sizes over
/// `u64::MAX` bytes are `u64::MAX`.
pub fn parse_size(s: &str) -> Result<u64, SizeError> {
    let err = || SizeError {
        input: s.to_string(),
    };
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().map_err(|_| err())?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(err()),
    };
    // `as` saturates; the number has no sign, so the product is finite and not negative.
    Ok((n * scale) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Result<Duration, DurationError> {
        Ok(Duration::from_secs(s))
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), secs(90));
        assert_eq!(parse_duration(" 45s "), secs(45));
        assert_eq!(parse_duration("5m"), secs(300));
        assert_eq!(parse_duration("1h30m"), secs(5400));
        assert_eq!(parse_duration("2d"), secs(172_800));
        assert_eq!(parse_duration("24h"), secs(86_400));
        assert_eq!(parse_duration("3600s"), secs(3600));
        assert_eq!(parse_duration("1.5h"), secs(5400));
        assert_eq!(parse_duration(".5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m250ms"), Ok(Duration::from_millis(60_250)));
        assert_eq!(parse_duration("0"), secs(0));
        assert_eq!(parse_duration("0s"), secs(0));
        assert_eq!(parse_duration("PT24H"), secs(86_400));
        assert_eq!(parse_duration("PT1H30M"), secs(5400));
        assert_eq!(parse_duration("0.0000000001s"), secs(0));
    }

    #[test]
    fn bad_durations() {
        for bad in [
            "",
            " ",
            "m5",
            "5y",
            "h",
            "5 m",
            "-1s",
            "-5",
            "1..5s",
            ".s",
            "5m3",
            "1.2.3s",
            "PT-1H",
            "P",
            "P2D",
            "1e3s",
            "5µs",
            "99999999999999999999999999999999999999999d",
            "9223372036854775808",
            "106751991167301d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        let e = parse_duration("soon\u{1b}[31m")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "invalid duration \"soon\\u{1b}[31m\" (examples: 90, 30s, 5m, 1h30m, 2d, 250ms, 1.5h, PT24H)"
            )
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("25MB"), Ok(25_000_000));
        assert_eq!(parse_size("4MiB"), Ok(4 << 20));
        assert_eq!(parse_size("4mib"), Ok(4 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("1.5k"), Ok(1500));
        assert_eq!(parse_size("12.5MB"), Ok(12_500_000));
        assert_eq!(parse_size("99999999999999999999999GB"), Ok(u64::MAX));
        for bad in ["lots", "5XB", "", "-1", "1..5", "MB"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_duration(&s);
            let _ = parse_size(&s);
        }

        #[test]
        fn units_add_up(h in 0u64..1000, m in 0u64..1000, sec in 0u64..1000, ms in 0u64..1000) {
            let d = parse_duration(&format!("{h}h{m}m{sec}s{ms}ms"));
            let want = Duration::from_millis(((h * 60 + m) * 60 + sec) * 1000 + ms);
            proptest::prop_assert_eq!(d, Ok(want));
        }
    }
}
