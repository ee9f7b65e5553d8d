//! Kubernetes resource quantities as kubectl prints them.
//!
//! kubectl never prints the string a quantity was written with: it parses it
//! (`resource.ParseQuantity`) and prints the canonical form
//! (`Quantity.String()`), so `0.5` becomes `500m` and `2048Ki` becomes `2Mi`.
//! Sums keep the format of the left operand unless it is zero.
//!
//! Values are kept exactly as an integer count of nano-units (the smallest
//! unit Kubernetes represents; smaller fractions round up when parsed, as in
//! Go). Quantities that do not fit or do not parse are kept as their text.

use std::cmp::Ordering;

/// How a quantity is written back (Go's `resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `Ki`, `Mi`, ...
    BinarySi,
    /// `m`, ``, `k`, `M`, ...
    DecimalSi,
    /// `e3`, `E6`, ...
    DecimalExponent,
}

/// A parsed quantity: `nanos` is the value times 10^9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quantity {
    pub(crate) nanos: i128,
    pub(crate) format: Format,
}

const NANO: i128 = 1_000_000_000;
/// Beyond this the value no longer fits Go's int64 fast path nor our i128 math
/// comfortably; such quantities are printed as written.
const LIMIT: i128 = 1_000_000_000_000_000_000_000_000_000; // 1e36

impl Quantity {
    /// The zero quantity (`resource.Quantity{}`), which prints as `0`.
    pub(crate) const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSi,
    };

    /// Parses a quantity string; `None` when it is not a valid quantity.
    pub(crate) fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let (positive, rest) = match s.as_bytes().first() {
            Some(b'-') => (false, &s[1..]),
            Some(b'+') => (true, &s[1..]),
            _ => (true, s),
        };
        // number: digits [. digits]
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(num_end);
        if number.is_empty() || number.matches('.').count() > 1 || number == "." {
            return None;
        }
        let (int_part, frac_part) = match number.split_once('.') {
            Some((i, f)) => (i, f),
            None => (number, ""),
        };
        let (base, exponent, format) = parse_suffix(suffix)?;
        // value = int.frac * base^exponent, computed exactly in nanos
        let digits = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 36 {
            return None;
        }
        let mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        let frac_len = i32::try_from(frac_part.len()).ok()?;
        let nanos = match base {
            10 => scale_pow10(mantissa, exponent + 9 - frac_len)?,
            _ => {
                // mantissa * 2^exponent * 1e9 / 10^frac_len, rounded up
                let shifted =
                    mantissa.checked_mul(1i128.checked_shl(u32::try_from(exponent).ok()?)?)?;
                scale_pow10(shifted, 9 - frac_len)?
            }
        };
        if nanos > LIMIT {
            return None;
        }
        Some(Quantity {
            nanos: if positive { nanos } else { -nanos },
            format,
        })
    }

    /// Parses, falling back to zero (what Go would return for a missing key).
    pub(crate) fn parse_or_zero(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or(Quantity::ZERO)
    }

    /// `Quantity.Add`: the receiver keeps its format unless it is zero.
    pub(crate) fn add(&mut self, other: Quantity) {
        if self.nanos == 0 {
            self.format = other.format;
        }
        self.nanos = self.nanos.saturating_add(other.nanos);
    }

    /// `Quantity.Cmp`.
    pub(crate) fn cmp_value(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }

    /// `Quantity.MilliValue()`: rounded up to whole milli-units.
    pub(crate) fn milli_value(&self) -> i128 {
        ceil_div(self.nanos, 1_000_000)
    }

    /// `Quantity.Value()`: rounded up to whole units.
    pub(crate) fn value(&self) -> i128 {
        ceil_div(self.nanos, NANO)
    }

    /// The canonical text, as Go's `Quantity.String()`.
    pub(crate) fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySi {
            // Small values, and values that are not whole units, are
            // shown in decimal rather than rounded.
            if (self.nanos > -1024 * NANO && self.nanos < 1024 * NANO) || self.nanos % NANO != 0 {
                format = Format::DecimalSi;
            }
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.unsigned_abs();
        match format {
            Format::BinarySi => {
                let mut v = abs / (NANO as u128);
                let mut exp = 0;
                while v.is_multiple_of(1024) && exp < 6 {
                    v /= 1024;
                    exp += 1;
                }
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
                    .get(exp)
                    .copied()
                    .unwrap_or("");
                format!("{sign}{v}{suffix}")
            }
            Format::DecimalSi | Format::DecimalExponent => {
                // value = abs * 10^-9; strip factors of ten, then lower the
                // exponent to a multiple of three.
                let mut m = abs;
                let mut exp: i32 = -9;
                while m.is_multiple_of(10) {
                    m /= 10;
                    exp += 1;
                }
                match exp.rem_euclid(3) {
                    1 => {
                        m *= 10;
                        exp -= 1;
                    }
                    2 => {
                        m *= 100;
                        exp -= 2;
                    }
                    _ => {}
                }
                let suffix = if format == Format::DecimalExponent {
                    if exp == 0 {
                        String::new()
                    } else {
                        format!("e{exp}")
                    }
                } else {
                    match exp {
                        -9 => "n",
                        -6 => "u",
                        -3 => "m",
                        0 => "",
                        3 => "k",
                        6 => "M",
                        9 => "G",
                        12 => "T",
                        15 => "P",
                        18 => "E",
                        _ => "",
                    }
                    .to_string()
                };
                format!("{sign}{m}{suffix}")
            }
        }
    }
}

/// Prints a quantity string the way kubectl does (canonical form), keeping
/// text that does not parse as it is.
pub(crate) fn canonical_text(s: &str) -> String {
    match Quantity::parse(s) {
        Some(q) => q.canonical(),
        None => s.to_string(),
    }
}

fn parse_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    let r = match suffix {
        "" => (10, 0, Format::DecimalSi),
        "n" => (10, -9, Format::DecimalSi),
        "u" => (10, -6, Format::DecimalSi),
        "m" => (10, -3, Format::DecimalSi),
        "k" => (10, 3, Format::DecimalSi),
        "M" => (10, 6, Format::DecimalSi),
        "G" => (10, 9, Format::DecimalSi),
        "T" => (10, 12, Format::DecimalSi),
        "P" => (10, 15, Format::DecimalSi),
        "E" => (10, 18, Format::DecimalSi),
        "Ki" => (2, 10, Format::BinarySi),
        "Mi" => (2, 20, Format::BinarySi),
        "Gi" => (2, 30, Format::BinarySi),
        "Ti" => (2, 40, Format::BinarySi),
        "Pi" => (2, 50, Format::BinarySi),
        "Ei" => (2, 60, Format::BinarySi),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E'])?;
            let exp: i32 = rest.parse().ok()?;
            if !(-40..=40).contains(&exp) {
                return None;
            }
            (10, exp, Format::DecimalExponent)
        }
    };
    Some(r)
}

/// `m * 10^p`, rounding a fractional result up (away from zero).
fn scale_pow10(m: i128, p: i32) -> Option<i128> {
    if p >= 0 {
        let f = 10i128.checked_pow(u32::try_from(p).ok()?)?;
        m.checked_mul(f)
    } else {
        let neg = u32::try_from(-p).ok()?;
        if neg > 38 {
            return Some(if m == 0 { 0 } else { 1 });
        }
        let f = 10i128.checked_pow(neg)?;
        Some(ceil_div(m, f))
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && a > 0 { q + 1 } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        canonical_text(s)
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(c("100m"), "100m");
        assert_eq!(c("0.5"), "500m");
        assert_eq!(c("1"), "1");
        assert_eq!(c("1000"), "1k");
        assert_eq!(c("2048"), "2048");
        assert_eq!(c("128Mi"), "128Mi");
        assert_eq!(c("2048Ki"), "2Mi");
        assert_eq!(c("1536Mi"), "1536Mi");
        assert_eq!(c("1.5Gi"), "1536Mi");
        assert_eq!(c("15372232Ki"), "15372232Ki");
        assert_eq!(c("14167048988"), "14167048988");
        assert_eq!(c("0"), "0");
        assert_eq!(c("110"), "110");
        assert_eq!(c("512"), "512");
        assert_eq!(c("1e3"), "1e3");
        assert_eq!(c("1G"), "1G");
        assert_eq!(c("100M"), "100M");
        assert_eq!(c("0.1"), "100m");
        assert_eq!(c("1Ki"), "1Ki");
        assert_eq!(c("512Ki"), "512Ki");
        assert_eq!(c("0.5Ki"), "512");
        assert_eq!(c("garbage"), "garbage");
    }

    #[test]
    fn sums_keep_left_format() {
        let mut a = Quantity::parse_or_zero("500m");
        a.add(Quantity::parse_or_zero("500m"));
        assert_eq!(a.canonical(), "1");
        let mut b = Quantity::parse_or_zero("500m");
        b.add(Quantity::parse_or_zero("600m"));
        assert_eq!(b.canonical(), "1100m");
        let mut m = Quantity::ZERO;
        m.add(Quantity::parse_or_zero("128Mi"));
        m.add(Quantity::parse_or_zero("200M"));
        assert_eq!(m.canonical(), "334217728");
        let mut g = Quantity::ZERO;
        g.add(Quantity::parse_or_zero("128Mi"));
        g.add(Quantity::parse_or_zero("1Gi"));
        assert_eq!(g.canonical(), "1152Mi");
    }

    #[test]
    fn scaled_values_round_up() {
        assert_eq!(Quantity::parse_or_zero("1n").milli_value(), 1);
        assert_eq!(Quantity::parse_or_zero("1.5").value(), 2);
        assert_eq!(Quantity::parse_or_zero("2").milli_value(), 2000);
    }
}
