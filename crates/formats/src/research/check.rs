//! Value checks shared by the research readers, so that every format refuses
//! the same nonsense (negative demands, fractional counts, coordinates whose
//! distances overflow) the same way: at its line, naming its field.

use std::path::Path;

use crate::error::InputError;

/// Most nodes (units, customers) an instance may list. The solvers hold
/// dense matrices over them, so a count above this is refused before
/// anything proportional to it is allocated.
pub(super) const MAX_NODES: u64 = 1_000_000;

/// Most vehicles (per day).
pub(super) const MAX_VEHICLES: u64 = 10_000;

/// Largest node or unit id (ids are written back in results).
pub(super) const MAX_ID: u64 = 1_000_000_000;

/// Largest |coordinate|: squared distances (at most 8e18) and sums of
/// distances stay finite and far from rounding to nonsense.
pub(super) const MAX_COORDINATE: f64 = 1e9;

/// Reads a file as text, without a leading byte-order mark.
pub(super) fn read_text(path: &Path) -> Result<String, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// A physical line of a file (1-based), where values are checked.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'a> {
    /// The file.
    pub path: &'a Path,
    /// The line.
    pub line: u64,
}

impl At<'_> {
    /// An error at this line in `field`.
    pub fn error(self, field: &str, message: impl Into<String>) -> InputError {
        InputError::at(self.path, self.line, Some(field), message)
    }

    /// A finite number; `token` is `None` when the line ends before `field`.
    pub fn number(self, field: &str, token: Option<&str>) -> Result<f64, InputError> {
        self.parse(field, token).map(|(value, _)| value)
    }

    /// A finite number and the text it was read from (for messages).
    fn parse<'t>(self, field: &str, token: Option<&'t str>) -> Result<(f64, &'t str), InputError> {
        let token = token.ok_or_else(|| self.error(field, "missing: the line ends before it"))?;
        let value = token
            .parse::<f64>()
            .map_err(|_| self.error(field, format!("'{token}' is not a number")))?;
        if !value.is_finite() {
            return Err(self.error(field, format!("'{token}' is not a finite number")));
        }
        Ok((value, token))
    }

    /// A finite number ≥ 0: a demand, duration, time or capacity.
    pub fn quantity(self, field: &str, token: Option<&str>) -> Result<f64, InputError> {
        let (value, token) = self.parse(field, token)?;
        if value < 0.0 {
            return Err(self.error(field, format!("'{token}' is negative")));
        }
        // -0 reads as 0.
        Ok(value.max(0.0))
    }

    /// A coordinate within ±[`MAX_COORDINATE`].
    pub fn coordinate(self, field: &str, token: Option<&str>) -> Result<f64, InputError> {
        let (value, token) = self.parse(field, token)?;
        if value.abs() > MAX_COORDINATE {
            return Err(self.error(
                field,
                format!("'{token}' is beyond ±1e9 (distances would overflow or lose precision)"),
            ));
        }
        Ok(value)
    }

    /// A whole number in `min..=max`: a count, id or day mask (`3.0` is 3).
    pub fn whole(
        self,
        field: &str,
        token: Option<&str>,
        min: u64,
        max: u64,
    ) -> Result<u64, InputError> {
        let (value, token) = self.parse(field, token)?;
        if value.fract() != 0.0 {
            return Err(self.error(field, format!("'{token}' is not a whole number")));
        }
        // Compared as floats, so that 1e300 cannot saturate when cast.
        if value < min as f64 {
            return Err(self.error(field, format!("'{token}' is less than {min}")));
        }
        if value > max as f64 {
            return Err(self.error(field, format!("'{token}' is more than {max}")));
        }
        Ok(value as u64)
    }

    /// [`Self::whole`] as a `usize` count (all limits fit).
    pub fn count(
        self,
        field: &str,
        token: Option<&str>,
        min: u64,
        max: u64,
    ) -> Result<usize, InputError> {
        self.whole(field, token, min, max).map(|v| v as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_with_their_field() {
        let at = At {
            path: Path::new("x.txt"),
            line: 7,
        };
        assert_eq!(at.whole("n", Some("3.0"), 1, 5), Ok(3));
        assert_eq!(at.quantity("q", Some("-0")), Ok(0.0));
        for (result, message) in [
            (
                at.whole("n", Some("2.5"), 0, 9).err(),
                "'2.5' is not a whole number",
            ),
            (
                at.whole("n", Some("1e300"), 0, 9).err(),
                "'1e300' is more than 9",
            ),
            (at.whole("n", Some("-1"), 0, 9).err(), "'-1' is less than 0"),
            (at.quantity("n", Some("-2")).err(), "'-2' is negative"),
            (
                at.number("n", Some("1e999")).err(),
                "'1e999' is not a finite number",
            ),
            (
                at.number("n", Some("NaN")).err(),
                "'NaN' is not a finite number",
            ),
            (
                at.number("n", None).err(),
                "missing: the line ends before it",
            ),
            (
                at.coordinate("n", Some("-1e18")).err(),
                "'-1e18' is beyond ±1e9 (distances would overflow or lose precision)",
            ),
        ] {
            let e = result.expect("an error");
            assert_eq!((e.line, e.field.as_deref()), (Some(7), Some("n")));
            assert_eq!(e.message, message);
        }
    }
}
