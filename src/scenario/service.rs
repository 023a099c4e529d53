//! Service times of a stage function (constant, uniform, exponential) and the seeded random
//! source that draws them. Integer microseconds throughout; no wall clock, no global state.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How long one call of a stage function takes, in virtual microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Service {
    Const { us: u64 },
    Uniform { lo_us: u64, hi_us: u64 },
    Exp { mean_us: u64 },
}

impl Service {
    /// Draws one service time.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Service::Const { us } => us,
            Service::Uniform { lo_us, hi_us } => lo_us + rng.below(hi_us - lo_us + 1),
            // Through i64: a duration is at most a day, far below 2^63, and the signed
            // conversions are one instruction on x86-64 and in WebAssembly engines, where the
            // unsigned ones are a sequence. Same values either way.
            Service::Exp { mean_us } => (mean_us as i64 as f64 * rng.exp1() + 0.5) as i64 as u64,
        }
    }

    /// The mean service time in microseconds.
    pub fn mean_us(&self) -> f64 {
        match *self {
            Service::Const { us } => us as f64,
            Service::Uniform { lo_us, hi_us } => (lo_us + hi_us) as f64 / 2.0,
            Service::Exp { mean_us } => mean_us as f64,
        }
    }

    /// Parses the command line's forms: `const:20ms`, `uniform:10ms..30ms`, `exp:1ms`.
    pub fn parse(text: &str) -> Result<Service, String> {
        let (dist, arg) = text.split_once(':').ok_or_else(|| {
            format!("service time `{text}`: expected const:T, uniform:A..B or exp:MEAN")
        })?;
        match dist {
            "const" => Ok(Service::Const {
                us: parse_duration_us(arg)?,
            }),
            "exp" => Ok(Service::Exp {
                mean_us: parse_duration_us(arg)?,
            }),
            "uniform" => {
                let (lo, hi) = arg
                    .split_once("..")
                    .ok_or_else(|| format!("service time `{text}`: uniform needs A..B"))?;
                let (lo_us, hi_us) = (parse_duration_us(lo)?, parse_duration_us(hi)?);
                if lo_us > hi_us {
                    return Err(format!(
                        "service time `{text}`: the low end is above the high end"
                    ));
                }
                Ok(Service::Uniform { lo_us, hi_us })
            }
            _ => Err(format!(
                "service time `{text}`: unknown distribution `{dist}` (const, uniform, exp)"
            )),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Service::Const { us } => write!(f, "const:{}", show_us(us)),
            Service::Uniform { lo_us, hi_us } => {
                write!(f, "uniform:{}..{}", show_us(lo_us), show_us(hi_us))
            }
            Service::Exp { mean_us } => write!(f, "exp:{}", show_us(mean_us)),
        }
    }
}

fn show_us(us: u64) -> String {
    if us.is_multiple_of(1_000_000) && us > 0 {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1000) && us > 0 {
        format!("{}ms", us / 1000)
    } else {
        format!("{us}us")
    }
}

/// Parses `250us`, `1.5ms`, `2s` into whole microseconds.
pub fn parse_duration_us(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e6)
    } else {
        return Err(format!("duration `{text}`: give a unit, us, ms or s"));
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("duration `{text}`: `{number}` is not a number"))?;
    let us = value * scale;
    if !us.is_finite() || !(0.0..=1e15).contains(&us) {
        return Err(format!("duration `{text}`: out of range"));
    }
    Ok(us.round() as u64)
}

/// SplitMix64: small, fast, and the same on every platform, so a seed replays exactly.
#[derive(Clone)]
pub struct Rng {
    state: u64,
    /// The exponential's tables, looked up once here rather than through their lazy static at
    /// every draw.
    zig: &'static Ziggurat,
}

impl fmt::Debug for Rng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Rng").field(&self.state).finish()
    }
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed ^ 0x5851_f42d_4c95_7f2d,
            zig: ziggurat(),
        }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn unit(&mut self) -> f64 {
        // 53 bits: the signed conversion gives the same value, in one instruction.
        ((self.next_u64() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponential with mean 1, by Marsaglia and Tsang's ziggurat: one table look-up and a
    /// multiply ~98% of the time, instead of a logarithm per draw. That path is inlined; the
    /// rest is a cold function of its own (`exp1_rest`).
    #[inline(always)]
    pub fn exp1(&mut self) -> f64 {
        let z = self.zig;
        let r = self.next_u64();
        let (i, j) = ((r & 255) as usize, r >> 32);
        if j < z.k[i] {
            return (j as i64) as f64 * z.w[i];
        }
        self.exp1_rest(z, r)
    }

    /// The ziggurat's loop from draw `r` on (its quick accept is tried again, and fails again).
    #[cold]
    fn exp1_rest(&mut self, z: &Ziggurat, mut r: u64) -> f64 {
        loop {
            let i = (r & 255) as usize;
            let j = r >> 32;
            if j < z.k[i] {
                return (j as i64) as f64 * z.w[i];
            }
            if i == 0 {
                // The tail beyond the base strip: R + Exp(1), by memorylessness.
                return ZIG_R - (1.0 - self.unit()).ln();
            }
            let x = (j as i64) as f64 * z.w[i];
            if z.f[i] + self.unit() * (z.f[i - 1] - z.f[i]) < (-x).exp() {
                return x;
            }
            r = self.next_u64();
        }
    }

    /// Uniform in [0, n); n must be above 0.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// The exponential ziggurat's right edge and strip area (Marsaglia and Tsang, 2000).
const ZIG_R: f64 = 7.697_117_470_131_487;
const ZIG_V: f64 = 3.949_659_822_581_572e-3;

struct Ziggurat {
    /// Accept a 32-bit draw `j` in strip `i` at once when `j < k[i]`.
    k: [u64; 256],
    /// `x = j * w[i]`.
    w: [f64; 256],
    /// `exp(-x)` at each strip's edge.
    f: [f64; 256],
}

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let m = 4_294_967_296.0; // 2^32
        let mut z = Ziggurat {
            k: [0; 256],
            w: [0.0; 256],
            f: [0.0; 256],
        };
        let (mut d, mut t) = (ZIG_R, ZIG_R);
        let q = ZIG_V / (-d).exp();
        z.k[0] = ((d / q) * m) as u64;
        z.k[1] = 0;
        z.w[0] = q / m;
        z.w[255] = d / m;
        z.f[0] = 1.0;
        z.f[255] = (-d).exp();
        for i in (1..=254).rev() {
            d = -(ZIG_V / d + (-d).exp()).ln();
            z.k[i + 1] = ((d / t) * m) as u64;
            t = d;
            z.f[i] = (-d).exp();
            z.w[i] = d / m;
        }
        z
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_and_unit() {
        assert_eq!(
            Service::parse("const:20ms"),
            Ok(Service::Const { us: 20_000 })
        );
        assert_eq!(
            Service::parse("exp:1.5ms"),
            Ok(Service::Exp { mean_us: 1500 })
        );
        assert_eq!(
            Service::parse("uniform:10us..2s"),
            Ok(Service::Uniform {
                lo_us: 10,
                hi_us: 2_000_000
            })
        );
        assert!(Service::parse("exp:1").is_err());
        assert!(Service::parse("gauss:1ms").is_err());
        assert!(Service::parse("uniform:3ms..1ms").is_err());
        assert!(Service::parse("exp:-1ms").is_err());
    }

    #[test]
    fn exponential_mean_is_close_to_its_parameter() {
        let mut rng = Rng::new(7);
        let s = Service::Exp { mean_us: 1000 };
        let n = 200_000;
        let total: u64 = (0..n).map(|_| s.sample(&mut rng)).sum();
        let mean = total as f64 / n as f64;
        assert!((mean - 1000.0).abs() < 15.0, "mean {mean}");
    }

    #[test]
    fn exponential_tail_has_the_right_shape() {
        let mut rng = Rng::new(11);
        let n = 400_000;
        let draws: Vec<f64> = (0..n).map(|_| rng.exp1()).collect();
        for (x, want) in [
            (0.1, (-0.1f64).exp()),
            (1.0, (-1.0f64).exp()),
            (3.0, (-3.0f64).exp()),
            (8.0, (-8.0f64).exp()),
        ] {
            let share = draws.iter().filter(|&&d| d > x).count() as f64 / n as f64;
            let tolerance = 4.0 * (want * (1.0 - want) / n as f64).sqrt() + 1e-5;
            assert!(
                (share - want).abs() < tolerance,
                "P(X > {x}) = {share}, want {want}"
            );
        }
        assert!(draws.iter().all(|d| d.is_finite() && *d >= 0.0));
    }

    #[test]
    fn uniform_stays_in_its_bounds() {
        let mut rng = Rng::new(1);
        let s = Service::Uniform { lo_us: 5, hi_us: 9 };
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = s.sample(&mut rng);
            assert!((5..=9).contains(&v));
            seen[(v - 5) as usize] = true;
        }
        assert!(seen.iter().all(|&b| b));
    }
}
