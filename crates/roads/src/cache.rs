//! On-disk matrix cache.
//!
//! One file per matrix, `matrix-<key>.bin`, where the key is an FNV-1a hash
//! of the extract's bytes, the import and matrix options and the points. The
//! format is little-endian:
//!
//! | field | type |
//! |---|---|
//! | magic `TRRM` | 4 bytes |
//! | format version (1) | u32 |
//! | key | u64 |
//! | n | u64 |
//! | points `(lat, lon)` | n × 2 × f64 |
//! | off-road legs, km | n × f64 |
//! | times, minutes, row-major | n² × f64 |
//! | distances, km, row-major | n² × f64 |
//!
//! A file whose header, size or points don't match is ignored (recomputed and
//! overwritten), so a hash collision or a damaged file can't return a wrong
//! matrix. Writes go to a temporary file in the same directory which is then
//! renamed over the final name, so readers never see a partial file.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{ImportOptions, MatrixOptions, RoadError, RoadNetwork, Snapping, TravelMatrix};

const MAGIC: &[u8; 4] = b"TRRM";
const VERSION: u32 = 1;

/// The 64-bit FNV-1a hash: stable across platforms and releases.
///
/// ```
/// use territory_roads::Fnv1a;
/// let mut h = Fnv1a::new();
/// h.write(b"a");
/// assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv1a {
    /// A fresh hasher.
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Feeds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// FNV-1a hash of a file's bytes.
pub fn hash_file(path: &Path) -> Result<u64, RoadError> {
    let io = |source| RoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = fs::File::open(path).map_err(io)?;
    let mut h = Fnv1a::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = f.read(&mut buf).map_err(io)?;
        if k == 0 {
            break;
        }
        h.write(&buf[..k]);
    }
    Ok(h.finish())
}

/// Identifies a matrix: extract contents, options and points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey(pub u64);

impl CacheKey {
    /// The key for a matrix over `points` from the extract whose bytes hash to
    /// `source_hash` (see [`hash_file`], [`RoadNetwork::source_hash`]). The
    /// algorithm is not part of the key: both give the same matrix.
    pub fn new(
        source_hash: u64,
        import: &ImportOptions,
        matrix: &MatrixOptions,
        points: &[(f64, f64)],
    ) -> Self {
        let mut h = Fnv1a::new();
        h.write(MAGIC);
        h.write(&VERSION.to_le_bytes());
        h.write(&source_hash.to_le_bytes());
        h.write(&import.fingerprint().to_le_bytes());
        h.write(&matrix.offroad_speed_kmh.to_bits().to_le_bytes());
        h.write(&(points.len() as u64).to_le_bytes());
        for &(lat, lon) in points {
            h.write(&lat.to_bits().to_le_bytes());
            h.write(&lon.to_bits().to_le_bytes());
        }
        Self(h.finish())
    }
}

/// A matrix from [`MatrixCache`], and whether it came from disk.
#[derive(Debug, Clone)]
pub struct Cached {
    /// The matrix.
    pub matrix: TravelMatrix,
    /// `true` if read from the cache, `false` if computed (and stored).
    pub from_cache: bool,
    /// The cache file.
    pub path: PathBuf,
}

/// Matrices stored in a directory, keyed by [`CacheKey`].
///
/// ```
/// use territory_roads::{CacheKey, ImportOptions, MatrixCache, MatrixOptions, TravelMatrix};
/// let dir = std::env::temp_dir().join(format!("territory-doc-{}", std::process::id()));
/// let cache = MatrixCache::new(&dir);
/// let points = [(43.73, 7.42), (43.74, 7.43)];
/// let key = CacheKey::new(1, &ImportOptions::default(), &MatrixOptions::default(), &points);
/// let m = TravelMatrix::from_parts(2, vec![0.0, 2.0, 3.0, 0.0], vec![0.0, 1.0, 1.2, 0.0], vec![0.0; 2]).unwrap();
/// cache.store(key, &points, &m)?;
/// assert_eq!(cache.load(key, &points)?, Some(m));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), territory_roads::RoadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MatrixCache {
    dir: PathBuf,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl MatrixCache {
    /// A cache in `dir` (created on first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The per-user cache, `$XDG_CACHE_HOME/territory` or
    /// `$HOME/.cache/territory`; `None` if neither variable is set.
    pub fn user_default() -> Option<Self> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })?;
        Some(Self::new(base.join("territory")))
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a key maps to.
    pub fn path(&self, key: CacheKey) -> PathBuf {
        self.dir.join(format!("matrix-{:016x}.bin", key.0))
    }

    /// The stored matrix for `key` and `points`, `None` if absent or if the
    /// file doesn't match (damaged, other version, other points).
    pub fn load(
        &self,
        key: CacheKey,
        points: &[(f64, f64)],
    ) -> Result<Option<TravelMatrix>, RoadError> {
        let path = self.path(key);
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(RoadError::Io { path, source }),
        };
        match decode(file, key, points) {
            Ok(m) => Ok(m),
            // Truncated: as good as absent.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(source) => Err(RoadError::Io { path, source }),
        }
    }

    /// Stores a matrix atomically; returns the file path.
    pub fn store(
        &self,
        key: CacheKey,
        points: &[(f64, f64)],
        m: &TravelMatrix,
    ) -> Result<PathBuf, RoadError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RoadError::Io { path, source }
        };
        fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let path = self.path(key);
        let tmp = self.dir.join(format!(
            ".matrix-{:016x}.{}.{}.tmp",
            key.0,
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut f = std::io::BufWriter::with_capacity(1 << 20, fs::File::create(&tmp)?);
            encode(&mut f, key, points, m)?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            fs::remove_file(&tmp).ok();
            return Err(io(&path)(e));
        }
        Ok(path)
    }

    /// The matrix over a snapping of an imported network: from the cache if
    /// present, otherwise computed and stored.
    pub fn matrix(
        &self,
        net: &RoadNetwork,
        snap: &Snapping,
        opts: &MatrixOptions,
    ) -> Result<Cached, RoadError> {
        let key = CacheKey::new(net.source_hash(), net.import_options(), opts, &snap.points);
        if let Some(matrix) = self.load(key, &snap.points)? {
            return Ok(Cached {
                matrix,
                from_cache: true,
                path: self.path(key),
            });
        }
        let matrix = net.matrix_with(snap, opts);
        let path = self.store(key, &snap.points, &matrix)?;
        Ok(Cached {
            matrix,
            from_cache: false,
            path,
        })
    }

    /// The matrix over `points` for an extract file. On a cache hit only the
    /// file is hashed — no import, no routing; on a miss the extract is
    /// imported, the points snapped and the matrix computed and stored.
    pub fn matrix_for_extract(
        &self,
        pbf: &Path,
        import: &ImportOptions,
        points: &[(f64, f64)],
        opts: &MatrixOptions,
    ) -> Result<Cached, RoadError> {
        let key = CacheKey::new(hash_file(pbf)?, import, opts, points);
        if let Some(matrix) = self.load(key, points)? {
            return Ok(Cached {
                matrix,
                from_cache: true,
                path: self.path(key),
            });
        }
        let net = RoadNetwork::from_pbf(pbf, import)?;
        let snap = net.snap(points, f64::INFINITY);
        self.matrix(&net, &snap, opts)
    }
}

fn encode(
    w: &mut impl Write,
    key: CacheKey,
    points: &[(f64, f64)],
    m: &TravelMatrix,
) -> std::io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&VERSION.to_le_bytes())?;
    w.write_all(&key.0.to_le_bytes())?;
    w.write_all(&(m.size() as u64).to_le_bytes())?;
    let coords = points.iter().flat_map(|&(lat, lon)| [lat, lon]);
    let all = coords
        .chain(m.offroad_km().iter().copied())
        .chain(m.times_min().iter().copied())
        .chain(m.distances_km().iter().copied());
    for x in all {
        w.write_all(&x.to_le_bytes())?;
    }
    Ok(())
}

fn read_f64s(r: &mut impl Read, k: usize) -> std::io::Result<Vec<f64>> {
    let mut out = Vec::with_capacity(k);
    let mut buf = vec![0u8; 8 * 8192];
    let mut left = k;
    while left > 0 {
        let c = left.min(8192);
        r.read_exact(&mut buf[..8 * c])?;
        out.extend(buf[..8 * c].chunks_exact(8).map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            f64::from_le_bytes(a)
        }));
        left -= c;
    }
    Ok(out)
}

/// Reads a cache file; `Ok(None)` if it is for another key, version or
/// point set, or has the wrong size.
fn decode(
    file: fs::File,
    key: CacheKey,
    points: &[(f64, f64)],
) -> std::io::Result<Option<TravelMatrix>> {
    let len = file.metadata()?.len();
    let mut r = std::io::BufReader::with_capacity(1 << 20, file);
    let mut head = [0u8; 24];
    r.read_exact(&mut head)?;
    let u64_at = |i: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&head[i..i + 8]);
        u64::from_le_bytes(a)
    };
    let n = points.len();
    if &head[0..4] != MAGIC
        || head[4..8] != VERSION.to_le_bytes()
        || u64_at(8) != key.0
        || u64_at(16) != n as u64
        || len != 24 + 8 * (3 * n as u64 + 2 * (n as u64) * (n as u64))
    {
        return Ok(None);
    }
    let stored = read_f64s(&mut r, 2 * n)?;
    for (i, &(lat, lon)) in points.iter().enumerate() {
        if stored[2 * i].to_bits() != lat.to_bits() || stored[2 * i + 1].to_bits() != lon.to_bits()
        {
            return Ok(None);
        }
    }
    let off = read_f64s(&mut r, n)?;
    let times = read_f64s(&mut r, n * n)?;
    let dist = read_f64s(&mut r, n * n)?;
    Ok(TravelMatrix::from_parts(n, times, dist, off))
}
