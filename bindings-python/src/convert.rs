//! Argument and result conversion: Python values to and from JSON, times,
//! durations, keys. Conversion only: what an option *means* (defaults, nulls,
//! wrong types, contradictions) is decided by the core's `from_json` readers.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use qencode_cdn::Error;
use serde_json::{Map, Number, Value};
use zeroize::Zeroizing;

use crate::errors::{internal, to_pyerr};

/// Deepest nesting accepted in a JSON value (guards the recursion).
const MAX_DEPTH: usize = 64;

/// An optional keyword argument whose absence differs from an explicit `None`:
/// the sentinel default of every option parameter. Only `Given` arguments are
/// handed to the core, which decides what `None` means for each option
/// (`expires_in=None` is an error, `not_before=None` is "not given").
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

/// The options object of a call: the arguments that were given, by name,
/// each converted with [`option_to_json`].
pub(crate) fn options(args: &[(&'static str, &Arg<'_>)]) -> PyResult<Value> {
    let mut map = Map::new();
    for (name, arg) in args {
        if let Arg::Given(v) = arg {
            map.insert((*name).to_string(), option_to_json(v, name)?);
        }
    }
    Ok(Value::Object(map))
}

/// A `dict` of options (`Client(**options)`) as one JSON object, each value
/// converted with [`option_to_json`].
pub(crate) fn options_dict(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let py = obj.py();
    let d = obj
        .cast::<PyDict>()
        .map_err(|_| type_error(py, format!("{what} must be a dict, got `{}`", type_name(obj))))?;
    let mut map = Map::new();
    for (k, v) in d.iter() {
        let key = dict_key(&k, what)?;
        let value = option_to_json(&v, &key)?;
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

/// One option value: a `datetime` becomes Unix seconds (rounded down), a
/// `timedelta` seconds (a whole number when it has no microseconds), a
/// `Resource` its JSON form; anything else is passed through as JSON.
pub(crate) fn option_to_json(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() || obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyInt>() {
        return py_to_json(obj, name);
    }
    if let Ok(r) = obj.cast::<crate::verifier::Resource>() {
        return serde_json::to_value(&r.get().inner).map_err(|e| internal(py, format!("resource is not JSON: {e}")));
    }
    let t = time_types(py)?;
    if obj.is_instance(t.datetime.bind(py))? {
        return unix_seconds(obj, name, t.epoch.bind(py)).map(Value::from);
    }
    if obj.is_instance(t.timedelta.bind(py))? {
        return timedelta_seconds(obj, name);
    }
    py_to_json(obj, name)
}

/// Python → JSON (`dict` with `str` keys, `list`/`tuple`, `str`, `int`,
/// `float`, `bool`, `None`). Another type is INVALID_ARGUMENT of the type kind.
pub(crate) fn py_to_json(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    py_to_json_at(obj, what, 0)
}

fn py_to_json_at(obj: &Bound<'_, PyAny>, what: &str, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > MAX_DEPTH {
        return Err(value_error(
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
        return Err(value_error(py, format!("{what}: an integer does not fit in 64 bits")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| value_error(py, format!("{what}: NaN and infinity are not JSON")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = dict_key(&k, what)?;
            map.insert(key, py_to_json_at(&v, what, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(py_to_json_at(&item?, what, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    Err(type_error(
        py,
        format!(
            "{what}: a value of type `{}` is not JSON (use dict, list, str, int, float, bool or None)",
            type_name(obj)
        ),
    ))
}

fn dict_key(k: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let py = k.py();
    Ok(k.cast::<PyString>()
        .map_err(|_| type_error(py, format!("{what}: keys must be str, got `{}`", type_name(k))))?
        .to_cow()?
        .into_owned())
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

/// A serializable core value (result, explanation, resource) → Python, by way
/// of its serde JSON form: the names are the core's, never a table here.
pub(crate) fn to_py<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(value).map_err(|e| internal(py, format!("result is not JSON: {e}")))?;
    json_to_py(py, &v)
}

/// The serde name of a unit enum value (`UrlForm::LivePlayback` → `"live_playback"`).
pub(crate) fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .and_then(|n| n.to_cow().map(|c| c.into_owned()))
        .unwrap_or_else(|_| "?".to_string())
}

/// `datetime.datetime`, `datetime.timedelta` and the Unix epoch (aware, UTC);
/// the stable ABI has no direct access to the datetime C API, so they are
/// looked up once.
struct TimeTypes {
    datetime: Py<PyAny>,
    timedelta: Py<PyAny>,
    epoch: Py<PyAny>,
}

static TIME_TYPES: PyOnceLock<TimeTypes> = PyOnceLock::new();

fn time_types(py: Python<'_>) -> PyResult<&TimeTypes> {
    TIME_TYPES.get_or_try_init(py, || -> PyResult<_> {
        let m = py.import("datetime")?;
        let datetime = m.getattr("datetime")?;
        let utc = m.getattr("timezone")?.getattr("utc")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        let epoch = datetime.call((1970, 1, 1), Some(&kwargs))?;
        Ok(TimeTypes {
            datetime: datetime.unbind(),
            timedelta: m.getattr("timedelta")?.unbind(),
            epoch: epoch.unbind(),
        })
    })
}

/// A timezone-aware `datetime` → Unix seconds, rounded down (exact integer
/// arithmetic on `datetime - epoch`). A naive one has no defined instant.
fn unix_seconds(obj: &Bound<'_, PyAny>, name: &str, epoch: &Bound<'_, PyAny>) -> PyResult<i64> {
    let py = obj.py();
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(value_error(
            py,
            format!("{name} is a naive datetime; pass a timezone-aware one (e.g. tzinfo=timezone.utc)"),
        ));
    }
    let delta = obj.call_method1("__sub__", (epoch,))?;
    let days: i64 = delta.getattr("days")?.extract()?;
    let secs: i64 = delta.getattr("seconds")?.extract()?;
    days.checked_mul(86_400)
        .and_then(|d| d.checked_add(secs))
        .ok_or_else(|| value_error(py, format!("{name} is out of range")))
}

/// A `timedelta` → seconds: an integer when it is whole, else a float (which
/// the core refuses where whole seconds are required).
fn timedelta_seconds(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    let py = obj.py();
    let days: i64 = obj.getattr("days")?.extract()?;
    let secs: i64 = obj.getattr("seconds")?.extract()?;
    let micros: i64 = obj.getattr("microseconds")?.extract()?;
    let whole = days
        .checked_mul(86_400)
        .and_then(|d| d.checked_add(secs))
        .ok_or_else(|| value_error(py, format!("{name} is out of range")))?;
    if micros == 0 {
        return Ok(Value::from(whole));
    }
    let total: f64 = obj.call_method0("total_seconds")?.extract()?;
    Number::from_f64(total)
        .map(Value::Number)
        .ok_or_else(|| value_error(py, format!("{name} is out of range")))
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
    Err(type_error(
        py,
        format!("{what} must be str or bytes, got `{}`", type_name(obj)),
    ))
}

/// INVALID_ARGUMENT raised by a conversion (`InvalidArgumentError`).
pub(crate) fn value_error(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    to_pyerr(py, Error::InvalidArgument(msg.into()))
}

/// INVALID_ARGUMENT of the type kind raised by a conversion
/// (`InvalidArgumentTypeError`, also a `TypeError`).
pub(crate) fn type_error(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    to_pyerr(py, Error::InvalidArgumentType(msg.into()))
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
