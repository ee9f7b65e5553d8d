//! Dates and ages as kubectl prints them.

use jiff::Timestamp;
use jiff::tz::TimeZone;

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
/// otherwise [`human_duration`] of the time elapsed until `now`.
pub(crate) fn since(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        None => "<unknown>".to_string(),
        Some(t) => {
            let nanos = now.as_nanosecond() - t.as_nanosecond();
            human_duration_nanos(nanos)
        }
    }
}

/// apimachinery's `duration.HumanDuration`, on a signed nanosecond count.
pub(crate) fn human_duration_nanos(d: i128) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    const S: i128 = 1_000_000_000;

    #[test]
    fn human_durations() {
        let cases: &[(i128, &str)] = &[
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
        ];
        for (d, want) in cases {
            assert_eq!(human_duration_nanos(*d), *want, "{d}");
        }
    }

    #[test]
    fn dates() {
        let t: Timestamp = "2020-08-31T16:32:42Z".parse().unwrap_or_default();
        assert_eq!(rfc1123z(t), "Mon, 31 Aug 2020 16:32:42 +0000");
    }
}
