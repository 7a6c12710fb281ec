#!/usr/bin/env python3
"""Turns tests/conformance/*.json into a C table for tests/c/test_conformance.c.

Usage: gen_conformance.py CONFORMANCE_DIR OUT.inc   (run by tests/suites/20-c.sh
into the build directory; the output is never committed).
       gen_conformance.py --golden CONFORMANCE_DIR OUT.inc
writes instead the golden tokens (every `sign` case that expects a token and
loads its key from a file) for the tests that sign them with a key held
elsewhere (tests/c/golden.h: a callback, a PKCS#11 token), with each case's
options as the exact JSON text of the case.

The C runner calls the library as a C user would, so the neutral JSON inputs
of a case are converted here into C values: sign options into a
`qcdn_sign_options` initializer, cookie options into `qcdn_cookie_options`,
verify options into `qcdn_verify_options` (plus a resource kind and name for
`qcdn_verifier_verify_resource`), client options into `qcdn_client_options`,
client arguments into the C function's parameters (enum values for domain
types, key targets and bucket policies), batches (`sign_many`) into arrays
of URIs and `qcdn_sign_options` for `qcdn_signer_sign_many`, and each
request of a `cached_sign` case into its struct. When a case's options
hold a value the C struct cannot say (a `null`, a wrong type, a fraction, a
0 that the struct reads as "unset", an unknown key, a same_site name that is
no enum value), the case goes through the `_json` function of the same call
with the options as JSON text (a batch: `qcdn_signer_sign_many_json`; a
cached request: `qcdn_signer_sign_json` on the cached signer), so that the
library itself decides, as it does for the bindings built on the C ABI.
Verifier key sets are given as `qcdn_verifier_new_jwks` text or, for key
lists, as the `qcdn_verifier_new_keys_json` document the runner builds from
the key files. The conversion never decides a case's outcome:
the expected result is the case's `expect`, written out as JSON text and
compared at run time with what the library returned.

Cases whose `skip` names `c` are emitted with their reason and nothing else.
A case that is not skipped but cannot be expressed at all (a string holding
NUL, an operation this generator does not know) is emitted with the reason,
and the runner counts it as FAILED: a new case never disappears silently.
"""
import base64
import glob
import json
import os
import sys

LANGUAGE = "c"
MAX_LITERAL = 4000  # ISO C only promises 4095 characters in a string literal (-Woverlength-strings)

SAME_SITE = {"lax": "QCDN_SAME_SITE_LAX", "strict": "QCDN_SAME_SITE_STRICT", "none": "QCDN_SAME_SITE_NONE"}
DOMAIN_TYPE = {"live": "QCDN_DOMAIN_TYPE_LIVE", "storage": "QCDN_DOMAIN_TYPE_STORAGE"}
KEY_TARGET = {"stream": "QCDN_SIGNING_KEY_TARGET_STREAM", "domain": "QCDN_SIGNING_KEY_TARGET_DOMAIN",
              "bucket": "QCDN_SIGNING_KEY_TARGET_BUCKET"}
POLICY = {"public": "QCDN_BUCKET_POLICY_PUBLIC", "authenticated": "QCDN_BUCKET_POLICY_AUTHENTICATED"}
RESOURCE_KIND = {"live": ("QCDN_RESOURCE_LIVE", "playback_id"), "storage": ("QCDN_RESOURCE_STORAGE", "key")}
FORM_ARGS = {
    "live": ["playback_id"],
    "live_custom_domain": ["domain", "playback_id"],
    "storage": ["bucket", "region", "key"],
    "storage_custom_domain": ["domain", "key"],
}
INT64_MIN, INT64_MAX, UINT32_MAX = -(2 ** 63), 2 ** 63 - 1, 2 ** 32 - 1


class Unexpressible(Exception):
    """The case cannot be given to the C API at all (counted as a failure)."""


class NotStruct(Exception):
    """The C option struct cannot say this; use the _json function."""


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Out:
    """Collects named static arrays for long strings and byte buffers."""

    def __init__(self):
        self.decls = []
        self.n = 0

    def _array(self, data):
        name = "qcdn_conf_data_%d" % self.n
        self.n += 1
        body = ",".join(str(b) for b in data)
        self.decls.append("static const unsigned char %s[] = {%s};" % (name, body))
        return "(const char *)" + name

    def c_bytes(self, data):
        """(expression, length) for raw bytes that may hold NUL."""
        if len(data) == 0:
            return '""', 0
        if len(data) <= MAX_LITERAL and 0 not in data:
            return literal(data), len(data)
        return self._array(list(data) + [0]), len(data)

    def c_str(self, s):
        """A NUL-terminated C string for a JSON string (NULL for None)."""
        if s is None:
            return "NULL"
        if not isinstance(s, str):
            raise Unexpressible("a string was expected, got %r" % (s,))
        try:
            data = s.encode("utf-8")
        except UnicodeEncodeError:
            raise Unexpressible("a string is not valid Unicode (lone surrogate)")
        if 0 in data:
            raise Unexpressible("a C string ends at NUL, and this one holds a NUL")
        if len(data) <= MAX_LITERAL:
            return literal(data)
        return self._array(list(data) + [0])

    def c_json(self, v):
        return self.c_str(json.dumps(v, ensure_ascii=True, separators=(",", ":"), sort_keys=False))


def literal(data):
    out = []
    for b in data:
        c = chr(b)
        if 0x20 <= b < 0x7F and c not in '"\\?':
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def c_i64(v):
    if not is_int(v) or not INT64_MIN <= v <= INT64_MAX:
        raise NotStruct()
    return "INT64_C(%d)" % v


def key_spec(out, spec):
    """A key spec: a file path (read by the runner below the repo root), or inline bytes."""
    if isinstance(spec, str):
        return "{.path = %s}" % out.c_str(spec)
    if isinstance(spec, dict) and "text" in spec:
        data = spec["text"].encode("utf-8")
    elif isinstance(spec, dict) and "base64" in spec:
        data = base64.b64decode(spec["base64"])
    else:
        raise Unexpressible("unknown key spec %r" % (spec,))
    expr, n = out.c_bytes(data)
    return "{.bytes = %s, .len = %d}" % (expr, n)


class Signers:
    """Each distinct signer spec gets an index: the runner loads it once."""

    def __init__(self):
        self.index = {}
        self.rows = []

    def get(self, out, spec):
        if not isinstance(spec, dict) or "kid" not in spec or "key" not in spec:
            raise Unexpressible("bad signer spec %r" % (spec,))
        ident = json.dumps(spec, sort_keys=True)
        if ident not in self.index:
            self.index[ident] = len(self.rows)
            self.rows.append("    {%s, %s}," % (out.c_str(spec["kid"]), key_spec(out, spec["key"])))
        return self.index[ident]


def sign_struct(opts):
    """The qcdn_sign_options initializer for sign options, or NotStruct."""
    if opts is None:
        return None
    if not isinstance(opts, dict):
        raise NotStruct()
    fields = []
    for k, v in opts.items():
        if k == "expires_in":
            if not is_int(v) or v == 0:  # 0 reads as "unset" in the struct
                raise NotStruct()
            fields.append(".expires_in = %s" % c_i64(v))
        elif k == "expires_at":
            if not is_int(v) or v == 0:
                raise NotStruct()
            fields.append(".expires_at = %s" % c_i64(v))
        elif k == "not_before":
            if not is_int(v):
                raise NotStruct()
            fields.append(".has_not_before = true, .not_before = %s" % c_i64(v))
        elif k == "never_expires":
            if not isinstance(v, bool):
                raise NotStruct()
            fields.append(".never_expires = %s" % ("true" if v else "false"))
        elif k == "now":
            if not is_int(v) or v == 0:  # 0 reads as "the system clock"
                raise NotStruct()
            fields.append(".now = %s" % c_i64(v))
        elif k == "claims":
            if not isinstance(v, dict):
                raise NotStruct()
            fields.append(("claims", v))
        else:
            raise NotStruct()
    return fields


def cookie_struct(opts):
    if opts is None:
        return None
    if not isinstance(opts, dict):
        raise NotStruct()
    fields = []
    for k, v in opts.items():
        if k in ("domain", "path"):
            if v is not None and not isinstance(v, str):
                raise NotStruct()
            fields.append((k, v))
        elif k == "same_site":
            if not isinstance(v, str) or v.lower() not in SAME_SITE:
                raise NotStruct()
            fields.append(".same_site = %s" % SAME_SITE[v.lower()])
        elif k == "secure":
            if not isinstance(v, bool):
                raise NotStruct()
            fields.append(".insecure = %s" % ("false" if v else "true"))
        elif k == "http_only":
            if not isinstance(v, bool):
                raise NotStruct()
            fields.append(".script_readable = %s" % ("false" if v else "true"))
        else:
            raise NotStruct()
    return fields


def verify_struct(opts):
    """(struct fields, resource) for verify options, or NotStruct."""
    if opts is None:
        return None, None
    if not isinstance(opts, dict):
        raise NotStruct()
    fields, resource = [], None
    for k, v in opts.items():
        if k == "key_id":
            if v is not None and not isinstance(v, str):
                raise NotStruct()
            fields.append(("key_id", v))
        elif k == "leeway":
            if not is_int(v) or not 0 <= v <= UINT32_MAX:
                raise NotStruct()
            fields.append(".leeway_secs = %d" % v)
        elif k == "now":
            if not is_int(v) or v == 0:
                raise NotStruct()
            fields.append(".now = %s" % c_i64(v))
        elif k == "resource":
            if v is None:
                continue
            if not isinstance(v, dict) or v.get("kind") not in RESOURCE_KIND:
                raise NotStruct()
            kind, name_key = RESOURCE_KIND[v["kind"]]
            if set(v) != {"kind", name_key} or not isinstance(v[name_key], str):
                raise NotStruct()
            resource = (kind, v[name_key])
        else:
            raise NotStruct()
    return fields, resource


def client_struct(opts):
    if opts is None:
        return []
    if not isinstance(opts, dict):
        raise NotStruct()
    fields = []
    for k, v in opts.items():
        if k in ("timeout", "connect_timeout"):
            if is_int(v) or isinstance(v, float):
                ms = v * 1000
                if ms != int(ms) or not 0 < ms <= UINT32_MAX:
                    raise NotStruct()
                fields.append(".%s_ms = %d" % (k, int(ms)))
            else:
                raise NotStruct()
        elif k == "deadline":
            if is_int(v) or isinstance(v, float):
                ms = v * 1000
                if ms != int(ms) or not 0 < ms <= UINT32_MAX:
                    raise NotStruct()
                fields.append(".deadline_ms = %d" % int(ms))
            else:
                raise NotStruct()
        elif k == "max_retries":
            if not is_int(v) or not 0 <= v <= UINT32_MAX:
                raise NotStruct()
            fields.append(".no_retries = true" if v == 0 else ".max_retries = %d" % v)
        else:
            raise NotStruct()
    return fields


def render_fields(out, fields, strings):
    """Joins struct fields; `strings` maps tuple fields to their C member."""
    parts = []
    for f in fields:
        if isinstance(f, tuple):
            name, value = f
            if name == "claims":
                parts.append(".claims_json = %s" % out.c_json(value))
            else:
                parts.append(".%s = %s" % (strings.get(name, name), out.c_str(value)))
        else:
            parts.append(f)
    return "{" + (", ".join(parts) or "0") + "}"


def client_call(out, step):
    call, args = step.get("call"), step.get("args") or {}
    if not isinstance(call, str) or not isinstance(args, dict):
        raise Unexpressible("bad client call %r" % (step,))
    a = b = "NULL"
    kind = "0"

    def s(k):
        if k not in args:
            raise Unexpressible("%s: argument `%s` is missing" % (call, k))
        return out.c_str(args[k])

    if call == "create_domain":
        if args.get("type") not in DOMAIN_TYPE:
            raise Unexpressible("create_domain: the type %r is no qcdn_domain_type" % (args.get("type"),))
        a, kind = s("name"), DOMAIN_TYPE[args["type"]]
    elif call == "list_domains":
        t = args.get("type")
        if t is None:
            kind = "QCDN_DOMAIN_TYPE_ANY"
        elif t in DOMAIN_TYPE:
            kind = DOMAIN_TYPE[t]
        else:
            raise Unexpressible("list_domains: the type %r is no qcdn_domain_type" % (t,))
    elif call in ("get_domain", "delete_domain", "get_tls_subscription", "delete_tls_subscription",
                  "get_signing_key", "delete_signing_key"):
        a = s("id")
    elif call == "create_tls_subscription":
        a = s("domain_id")
    elif call in ("list_tls_subscriptions", "list_signing_keys"):
        pass
    elif call == "create_signing_key":
        targets = [t for t in KEY_TARGET if t in args]
        if len(targets) != 1:
            raise Unexpressible("create_signing_key needs exactly one of stream, domain, bucket")
        a, kind = s(targets[0]), KEY_TARGET[targets[0]]
    elif call == "rename_signing_key":
        a, b = s("id"), s("name")
    elif call == "set_bucket_policy":
        if args.get("policy") not in POLICY:
            raise Unexpressible("set_bucket_policy: the policy %r is no qcdn_bucket_policy" % (args.get("policy"),))
        a, kind = s("bucket"), POLICY[args["policy"]]
    elif call == "set_bucket_cors":
        a, b = s("bucket"), out.c_json(args.get("headers"))
    elif call in ("get_bucket_cors", "delete_bucket_cors", "purge_bucket_cache"):
        a = s("bucket")
    elif call == "delete_bucket_cors_header":
        a, b = s("bucket"), s("header")
    elif call == "purge_object_cache":
        a, b = s("bucket"), s("path")
    else:
        raise Unexpressible("unknown client call `%s`" % call)
    return "{%s, %s, %s, %s}" % (out.c_str(call), a, b, kind)


def convert(out, signers, case):
    """The designated initializer fields of one case (inputs only)."""
    op, i = case["op"], case.get("input") or {}
    f = []

    def signer():
        f.append(".signer = %d" % signers.get(out, i.get("signer")))

    def verifier():
        v = i.get("verifier")
        if isinstance(v, dict) and "public_key" in v:
            f.append(".verifier_kind = VERIFIER_PUBLIC_KEY, .key = %s" % key_spec(out, v["public_key"]))
        elif isinstance(v, dict) and "jwk" in v:
            f.append(".verifier_kind = VERIFIER_JWK, .jwk = %s" % out.c_str(v["jwk"]))
        elif isinstance(v, dict) and "signer" in v:
            f.append(".verifier_kind = VERIFIER_SIGNER, .signer = %d" % signers.get(out, v["signer"]))
        elif isinstance(v, dict) and "jwks" in v:
            f.append(".verifier_kind = VERIFIER_JWKS, .jwk = %s" % out.c_str(v["jwks"]))
        elif isinstance(v, dict) and isinstance(v.get("keys"), list):
            rows = []
            for k in v["keys"]:
                if not isinstance(k, dict) or not isinstance(k.get("kid"), str) or "key" not in k:
                    raise Unexpressible("bad key-list entry %r" % (k,))
                rows.append("{%s, %s}" % (out.c_str(k["kid"]), key_spec(out, k["key"])))
            f.append(".verifier_kind = VERIFIER_KEYS, .keys = (const struct conf_kid_key[]){%s}, .key_count = %d"
                     % (", ".join(rows) or "{0}", len(rows)))
        else:
            raise Unexpressible("bad verifier spec %r" % (v,))

    def sign_options(opts, extra_json=None):
        """Struct when it can say the options (and the cookie's), else JSON text."""
        try:
            fields = sign_struct(opts)
            if fields is not None:
                f.append(".sign_mode = MODE_STRUCT, .sign = %s" % render_fields(out, fields, {}))
            return True
        except NotStruct:
            merged = dict(opts) if isinstance(opts, dict) else opts
            if extra_json is not None and isinstance(merged, dict) and isinstance(extra_json, dict):
                merged.update(extra_json)
            f.append(".sign_mode = MODE_JSON, .options_json = %s" % out.c_json(merged))
            return False

    def verify_options(resource_allowed):
        opts = i.get("options")
        try:
            fields, resource = verify_struct(opts)
            if resource is not None and not resource_allowed:
                raise NotStruct()  # qcdn_verifier_explain takes its resource from the URL
            if fields is not None:
                f.append(".verify_mode = MODE_STRUCT, .verify = %s" % render_fields(out, fields, {}))
            if resource is not None:
                f.append(".resource_kind = %s, .resource = %s" % (resource[0], out.c_str(resource[1])))
        except NotStruct:
            f.append(".verify_mode = MODE_JSON, .options_json = %s" % out.c_json(opts))

    def url_args():
        form = i.get("form")
        if form not in FORM_ARGS:
            raise Unexpressible("unknown url form %r" % (form,))
        args = i.get("args") or {}
        f.append(".form = %s" % out.c_str(form))
        for n, k in enumerate(FORM_ARGS[form]):
            if k not in args:
                raise Unexpressible("url form %s needs args.%s" % (form, k))
            f.append(".arg%d = %s" % (n + 1, out.c_str(args[k])))

    def item(entry, allow_json):
        """One {uri, options} as a conf_item: the struct, else (allow_json) the options as JSON."""
        if not isinstance(entry, dict):
            raise Unexpressible("a batch item is not an object: %r" % (entry,))
        try:
            fields = sign_struct(entry.get("options"))
            uri = out.c_str(entry.get("uri"))
            sign = render_fields(out, fields or [], {})
            return "{.uri = %s, .mode = MODE_STRUCT, .sign = %s}" % (uri, sign)
        except (NotStruct, Unexpressible):
            if not allow_json:
                raise NotStruct()
            # qcdn_signer_sign_json still needs the uri as a C string.
            return "{.uri = %s, .mode = MODE_JSON, .options_json = %s}" % (
                out.c_str(entry.get("uri")), out.c_json(entry.get("options")))

    def items_table(rows):
        return "(const struct conf_item[]){%s}, .item_count = %d" % (", ".join(rows) or "{0}", len(rows))

    def u32(name, v):
        if not is_int(v) or not 0 <= v <= UINT32_MAX:
            raise Unexpressible("`%s` %r is not a uint32_t" % (name, v))
        return v

    if op == "load_key":
        f.append(".kid = %s, .key = %s" % (out.c_str(i.get("kid")), key_spec(out, i.get("key"))))
    elif op == "sign":
        signer()
        f.append(".uri = %s" % out.c_str(i.get("uri")))
        sign_options(i.get("options"))
    elif op == "signed_url":
        signer()
        url_args()
        sign_options(i.get("options"))
    elif op == "url":
        url_args()
        if "token" in i and i["token"] is not None:
            f.append(".token = %s" % out.c_str(i["token"]))
    elif op == "cookie":
        signer()
        f.append(".uri = %s" % out.c_str(i.get("uri")))
        cookie = i.get("cookie")
        try:
            cfields = cookie_struct(cookie)
        except NotStruct:
            cfields = False
        if cfields is False:
            opts = i.get("options")
            merged = dict(opts) if isinstance(opts, dict) else {}
            if opts is not None and not isinstance(opts, dict):
                raise Unexpressible("sign options %r and cookie options cannot be merged" % (opts,))
            if isinstance(cookie, dict):
                merged.update(cookie)
            else:
                raise Unexpressible("cookie options %r are not an object" % (cookie,))
            f.append(".sign_mode = MODE_JSON, .options_json = %s" % out.c_json(merged))
        elif sign_options(i.get("options"), extra_json=cookie):
            if cfields is not None:
                f.append(".cookie_mode = MODE_STRUCT, .cookie = %s" % render_fields(out, cfields, {}))
    elif op in ("verify", "explain", "explain_token"):
        verifier()
        if op == "explain":
            f.append(".url = %s" % out.c_str(i.get("url")))
        else:
            f.append(".token = %s" % out.c_str(i.get("token")))
        if op == "explain_token":
            # No struct form: the library reads the options (resource included) itself.
            f.append(".verify_mode = MODE_JSON, .options_json = %s" % out.c_json(i.get("options")))
        else:
            verify_options(resource_allowed=(op == "verify"))
    elif op == "jwks":
        verifier()
    elif op == "sign_many":
        signer()
        items = i.get("items")
        if not isinstance(items, list):
            raise Unexpressible("sign_many needs a list of items")
        if "threads" in i:
            f.append(".threads = %d" % u32("threads", i["threads"]))
        try:
            # qcdn_signer_sign_many: every item's uri and options as C values.
            f.append(".batch_mode = MODE_STRUCT, .items = %s" % items_table([item(e, False) for e in items]))
        except NotStruct:
            f.append(".batch_mode = MODE_JSON, .options_json = %s" % out.c_json(items))
    elif op == "cached_sign":
        signer()
        requests = i.get("requests")
        if not isinstance(requests, list):
            raise Unexpressible("cached_sign needs a list of requests")
        f.append(".window = %d" % u32("window", i.get("window")))
        if "capacity" in i:
            cap = i["capacity"]
            if not is_int(cap) or not 0 < cap <= 2 ** 64 - 1:  # 0 reads as "the default capacity"
                raise Unexpressible("capacity %r is not a positive uint64_t" % (cap,))
            f.append(".capacity = UINT64_C(%d)" % cap)
        f.append(".items = %s" % items_table([item(r, True) for r in requests]))
    elif op == "decode":
        f.append(".token = %s" % out.c_str(i.get("token")))
    elif op == "stream_coverage":
        for k in ("manifest_url", "manifest_text"):
            if not isinstance(i.get(k), str):
                raise Unexpressible("%s is not a string" % k)
        f.append(".url = %s, .text = %s, .options_json = %s"
                 % (out.c_str(i["manifest_url"]), out.c_str(i["manifest_text"]), out.c_json(i.get("options") or {})))
    elif op == "audit":
        now = i.get("now")
        if not is_int(now) or now == 0:  # qcdn_audit reads 0 as "the system clock"
            raise Unexpressible("audit needs a non-zero whole `now`")
        f.append(".token = %s, .now = %s" % (out.c_str(i.get("token")), c_i64(now)))
    elif op in ("from_env", "client_from_env"):
        env = i.get("env") or {}
        if not isinstance(env, dict):
            raise Unexpressible("env is not an object")
        rows = []
        for name, value in env.items():
            if value is None:
                rows.append("{%s, NULL, NULL}" % out.c_str(name))
            elif isinstance(value, str):
                rows.append("{%s, %s, NULL}" % (out.c_str(name), out.c_str(value)))
            elif isinstance(value, dict) and isinstance(value.get("file"), str):
                rows.append("{%s, NULL, %s}" % (out.c_str(name), out.c_str(value["file"])))
            else:
                raise Unexpressible("bad env value %r" % (value,))
        f.append(".env = (const struct conf_env[]){%s}, .env_count = %d" % (", ".join(rows) or "{0}", len(rows)))
        if op == "from_env" and i.get("key_id") is not None:
            f.append(".key_id = %s" % out.c_str(i["key_id"]))
    elif op == "client":
        step = {"call": i.get("call"), "args": i.get("args")}
        f.append(".call = %s" % client_call(out, step))
        setup = i.get("setup") or []
        if setup:
            f.append(".setup = (const struct conf_call[]){%s}, .setup_count = %d"
                     % (", ".join(client_call(out, s) for s in setup), len(setup)))
        faults = i.get("faults") or []
        if faults:
            f.append(".faults = (const char *const[]){%s}, .fault_count = %d"
                     % (", ".join(out.c_json(x) for x in faults), len(faults)))
        opts = i.get("options")
        try:
            f.append(".client_mode = MODE_STRUCT, .client = {%s}" % (", ".join(client_struct(opts)) or "0"))
        except NotStruct:
            f.append(".client_mode = MODE_JSON, .options_json = %s" % out.c_json(opts))
    else:
        raise Unexpressible("operation `%s` is unknown to tests/c/gen_conformance.py" % op)
    return f


def golden(files, dst):
    out, rows = Out(), []
    for path in files:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        for case in doc["cases"]:
            i, token = case.get("input") or {}, (case.get("expect") or {}).get("token")
            signer = i.get("signer") or {}
            if case["op"] != "sign" or not isinstance(token, str) or not isinstance(signer.get("key"), str):
                continue
            options = out.c_json(i["options"]) if "options" in i else "NULL"
            rows.append("    {%s, %s, %s, %s, %s, %s}," % (
                out.c_str(case["name"]), out.c_str(signer["kid"]), out.c_str(signer["key"]),
                out.c_str(i["uri"]), options, out.c_str(token)))
    lines = ["/* Generated from the case files of tests/conformance by tests/c/gen_conformance.py --golden. */"]
    lines += out.decls
    lines.append("static const struct golden GOLDEN[] = {")
    lines += rows
    lines.append("};")
    with open(dst, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def main():
    args = sys.argv[1:]
    golden_only = args[:1] == ["--golden"]
    if golden_only:
        args = args[1:]
    src, dst = args[0], args[1]
    files = sorted(glob.glob(os.path.join(src, "*.json")))
    if not files:
        sys.exit("gen_conformance.py: no case files in %s" % src)
    if golden_only:
        golden(files, dst)
        return
    out, signers, rows = Out(), Signers(), []
    names = set()
    for path in files:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        for case in doc["cases"]:
            name = case["name"]
            if name in names:
                sys.exit("gen_conformance.py: duplicate case name %s" % name)
            names.add(name)
            head = [".name = %s" % out.c_str(name), ".op = %s" % out.c_str(case["op"])]
            skip = (case.get("skip") or {}).get(LANGUAGE)
            if skip is not None:
                head.append(".skip = %s" % out.c_str(skip or "(no reason given)"))
                rows.append("    {%s}," % ", ".join(head))
                continue
            try:
                fields = convert(out, signers, case)
                head.append(".expect = %s" % out.c_json(case["expect"]))
            except Unexpressible as e:
                fields = [".unexpressible = %s" % out.c_str(str(e))]
            rows.append("    {%s}," % ", ".join(head + fields))
    lines = ["/* Generated from the case files of tests/conformance by tests/c/gen_conformance.py. Do not edit. */"]
    lines += out.decls
    lines.append("static const struct conf_signer SIGNERS[] = {")
    lines += signers.rows or ["    {NULL, {0}},"]
    lines.append("};")
    lines.append("static const struct conf_case CASES[] = {")
    lines += rows
    lines.append("};")
    with open(dst, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
