//! Dates and ages as kubectl prints them.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Go's zero `time.Time` formatted with RFC1123Z, printed by kubectl when a
/// timestamp it dereferences is unset.
pub(crate) const ZERO_RFC1123Z: &str = "Mon, 01 Jan 0001 00:00:00 +0000";

/// `t.Format(time.RFC1123Z)` in UTC, e.g. `Mon, 31 Aug 2020 16:32:42 +0000`.
pub(crate) fn rfc1123z(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S %z")
        .to_string()
}

/// Like [`rfc1123z`], with Go's zero time for `None`.
pub(crate) fn rfc1123z_opt(t: Option<Timestamp>) -> String {
    t.map_or_else(|| ZERO_RFC1123Z.to_string(), rfc1123z)
}

/// kubectl's `translateTimestampSince`: `<unknown>` for an unset time,
/// otherwise [`kubectl_duration`] of the time elapsed until `now`.
pub(crate) fn since(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        None => "<unknown>".to_string(),
        Some(t) => kubectl_duration(now.duration_since(t)),
    }
}

/// A duration as kubectl prints ages (apimachinery's `duration.HumanDuration`, used by
/// `kubectl describe` and by `kubectl get`'s AGE and DURATION columns): `45s`, `119s`,
/// `4m58s`, `115m`, `3h2m`, `9h`, `2d5h`, `44d`, `2y70d`, `9y`; `0s` just below zero and
/// `<invalid>` further below. The report's own form is the analyzer's.
pub fn kubectl_duration(d: SignedDuration) -> String {
    let d = d.as_nanos();
    // Go converts through float seconds then truncates toward zero.
    let seconds = d / 1_000_000_000;
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = d / 60_000_000_000;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = d / 3_600_000_000_000;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{}h", hours / 24, h);
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{}d", hours / 24 / 365, dy);
    }
    format!("{}y", hours / 24 / 365)
}

/// Reads an age back as [`kubectl_duration`] prints it (`4m58s`, `3h2m`, `44d`, `2y30d`; a
/// year is 365 days): `None` for `<unknown>`, `<invalid>` and anything else.
pub fn parse_kubectl_duration(s: &str) -> Option<SignedDuration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for c in s.chars() {
        if let Some(digit) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(i64::from(digit))?,
            );
            continue;
        }
        let unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'y' => 365 * 86_400,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() {
        return None;
    }
    Some(SignedDuration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn kubectl_durations() {
        let cases: &[(i64, &str)] = &[
            (-2 * S, "<invalid>"),
            (-S / 2, "0s"),
            (-S, "0s"),
            (0, "0s"),
            (34 * S, "34s"),
            (119 * S, "119s"),
            (120 * S, "2m"),
            (4 * 60 * S + 58 * S, "4m58s"),
            (10 * 60 * S + 5 * S, "10m"),
            (115 * 60 * S, "115m"),
            (3 * 3600 * S + 2 * 60 * S, "3h2m"),
            (5 * 3600 * S, "5h"),
            (9 * 3600 * S, "9h"),
            (2 * 86400 * S + 5 * 3600 * S, "2d5h"),
            (3 * 86400 * S, "3d"),
            (44 * 86400 * S, "44d"),
            (800 * 86400 * S, "2y70d"),
            (365 * 9 * 86400 * S, "9y"),
            (200 * S, "3m20s"),
            (3600 * S, "60m"),
            (400 * 86400 * S, "400d"),
            ((3 * 365 + 12) * 86400 * S, "3y12d"),
            (10 * 365 * 86400 * S, "10y"),
        ];
        for (d, want) in cases {
            let text = kubectl_duration(SignedDuration::from_nanos(*d));
            assert_eq!(text, *want, "{d}");
            if *d >= 0 {
                // Read back, an age is the duration truncated to what it shows.
                let back = parse_kubectl_duration(&text).map(|b| b.as_nanos());
                assert!(back.is_some_and(|b| b <= i128::from(*d)), "{text}");
            }
        }
    }

    #[test]
    fn kubectl_durations_read_back() {
        let secs = |s| Some(SignedDuration::from_secs(s));
        assert_eq!(parse_kubectl_duration("4m58s"), secs(298));
        assert_eq!(parse_kubectl_duration("3h2m"), secs(3 * 3600 + 120));
        assert_eq!(parse_kubectl_duration("44d"), secs(44 * 86_400));
        assert_eq!(parse_kubectl_duration("2y30d"), secs(760 * 86_400));
        for bad in [
            "<unknown>",
            "<invalid>",
            "12",
            "",
            "m",
            "5x",
            "4m58",
            "99999999999999999999s",
        ] {
            assert_eq!(parse_kubectl_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates() {
        let t: Timestamp = "2020-08-31T16:32:42Z".parse().unwrap_or_default();
        assert_eq!(rfc1123z(t), "Mon, 31 Aug 2020 16:32:42 +0000");
    }
}
