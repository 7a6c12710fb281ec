//! Argument and result conversion: JSON values, times, durations, keys.
//! Conversion only; every rule about what the values mean is in the core.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use zeroize::Zeroizing;

use crate::errors::{invalid_argument, invalid_type};

/// Deepest nesting accepted in custom claims (guards the recursion).
const MAX_DEPTH: usize = 64;

/// An optional keyword argument whose absence differs from an explicit `None`
/// (`expires_in=None` must be an error, not "the default").
pub(crate) enum Arg<'py> {
    /// Not passed.
    Missing,
    /// Passed, possibly as `None`.
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Arg<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Arg::Given(obj.to_owned()))
    }
}

/// JSON → Python (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`).
pub(crate) fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

/// A JSON object → `dict`.
pub(crate) fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, json_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// Python → JSON, for custom claims.
fn py_to_json_at(obj: &Bound<'_, PyAny>, what: &str, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > MAX_DEPTH {
        return Err(invalid_argument(
            py,
            format!("{what} is nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(invalid_argument(
            py,
            format!("{what}: an integer does not fit in 64 bits"),
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid_argument(py, format!("{what}: NaN and infinity are not JSON")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(Value::Object(dict_to_map_at(d, what, depth + 1)?));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(py_to_json_at(&item?, what, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    Err(invalid_argument(
        py,
        format!(
            "{what}: a value of type `{}` is not JSON (use dict, list, str, int, float, bool or None)",
            type_name(obj)
        ),
    ))
}

/// A `dict` with `str` keys → a JSON object.
pub(crate) fn dict_to_map(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Map<String, Value>> {
    let py = obj.py();
    let d = obj
        .cast::<PyDict>()
        .map_err(|_| invalid_argument(py, format!("{what} must be a dict, got `{}`", type_name(obj))))?;
    dict_to_map_at(d, what, 1)
}

fn dict_to_map_at(d: &Bound<'_, PyDict>, what: &str, depth: usize) -> PyResult<Map<String, Value>> {
    let py = d.py();
    let mut map = Map::new();
    for (k, v) in d.iter() {
        let key = k
            .cast::<PyString>()
            .map_err(|_| invalid_argument(py, format!("{what}: keys must be str, got `{}`", type_name(&k))))?
            .to_cow()?
            .into_owned();
        let value = py_to_json_at(&v, what, depth)?;
        map.insert(key, value);
    }
    Ok(map)
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .and_then(|n| n.to_cow().map(|c| c.into_owned()))
        .unwrap_or_else(|_| "?".to_string())
}

static DATETIME: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

/// `(datetime.datetime, datetime.timedelta)`; the stable ABI has no direct
/// access to the datetime C API, so the classes are looked up once.
fn datetime_types(py: Python<'_>) -> PyResult<(&Bound<'_, PyAny>, &Bound<'_, PyAny>)> {
    let (dt, td) = DATETIME.get_or_try_init(py, || -> PyResult<_> {
        let m = py.import("datetime")?;
        Ok((m.getattr("datetime")?.unbind(), m.getattr("timedelta")?.unbind()))
    })?;
    Ok((dt.bind(py), td.bind(py)))
}

fn int_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<i64>> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() {
        return Err(invalid_type(py, format!("{name} must be an int, not a bool")));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj
            .extract::<i64>()
            .map(Some)
            .map_err(|_| invalid_argument(py, format!("{name} is out of range")));
    }
    Ok(None)
}

/// An absolute time: `int` Unix seconds or a timezone-aware `datetime`.
pub(crate) fn unix_time(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<i64> {
    let py = obj.py();
    if let Some(i) = int_arg(obj, name)? {
        return Ok(i);
    }
    let (datetime, _) = datetime_types(py)?;
    if obj.is_instance(datetime)? {
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(invalid_argument(
                py,
                format!("{name} is a naive datetime; pass a timezone-aware one (e.g. tzinfo=timezone.utc)"),
            ));
        }
        let ts: f64 = obj.call_method0("timestamp")?.extract()?;
        return Ok(ts.floor() as i64);
    }
    Err(invalid_type(
        py,
        format!(
            "{name} must be an int (Unix seconds) or a timezone-aware datetime, got `{}`",
            type_name(obj)
        ),
    ))
}

/// A duration: `int` seconds or a `timedelta` (whole seconds, truncated).
pub(crate) fn seconds(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<i64> {
    let py = obj.py();
    if let Some(i) = int_arg(obj, name)? {
        return Ok(i);
    }
    let (_, timedelta) = datetime_types(py)?;
    if obj.is_instance(timedelta)? {
        let days: i64 = obj.getattr("days")?.extract()?;
        let secs: i64 = obj.getattr("seconds")?.extract()?;
        return days
            .checked_mul(86_400)
            .and_then(|d| d.checked_add(secs))
            .ok_or_else(|| invalid_argument(py, format!("{name} is out of range")));
    }
    let hint = if obj.is_none() {
        "; a missing value must not mean \"never expires\": pass never_expires=True for that"
    } else {
        ""
    };
    Err(invalid_type(
        py,
        format!(
            "{name} must be an int (seconds) or a timedelta, got `{}`{hint}",
            type_name(obj)
        ),
    ))
}

/// Optional absolute time: `Missing` or `None` → `None`.
pub(crate) fn opt_unix_time(arg: &Arg<'_>, name: &str) -> PyResult<Option<i64>> {
    match arg {
        Arg::Missing => Ok(None),
        Arg::Given(v) if v.is_none() => Ok(None),
        Arg::Given(v) => unix_time(v, name).map(Some),
    }
}

/// Key material: `str` or `bytes` (bytes-like), copied into memory that is
/// wiped when dropped.
pub(crate) fn key_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Zeroizing<Vec<u8>>> {
    let py = obj.py();
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Zeroizing::new(s.to_cow()?.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Zeroizing::new(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Zeroizing::new(b.to_vec()));
    }
    Err(invalid_argument(
        py,
        format!("{what} must be str or bytes, got `{}`", type_name(obj)),
    ))
}

/// A Python-style quoted string for `__repr__` (`'text'`).
pub(crate) fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `repr()` of an optional string: `None` or `'text'`.
pub(crate) fn py_opt_str(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_string(), py_str)
}
