import cf from 'cloudfront';

// Viewer request (runtime cloudfront-js-2.0): sends each visitor to v1.0 or to this app,
// keeping every visitor on one stack (issue 14, "Each user stays on one stack").
//
// The split is one number in the distribution's KeyValueStore: key "app_percent", value an
// integer 0..100 as a string ("0", "10", "25", "50", "100"), written by
// `manage.py shift_traffic`. A missing key, a value that is not such an integer, or a store
// that cannot be read all count as 0: every visitor goes to v1.0, the stack that served
// everyone before the cutover, so a mistake fails towards the old, known state.
//
// Each visitor holds a cohort 0..99 in the cookie cs_cohort. The rule, in order:
//   1. percent 0 (rollback): v1.0, for everyone, signed in or not.
//   2. percent 100: this app, for everyone.
//   3. a share link only this app can open (a token longer than v1.0's 22 characters: the
//      app's new 43-character links) goes to this app: share pages are public, nobody's
//      login changes.
//   4. a visitor signed in on exactly one stack (holding that stack's session cookie and not
//      the other's) stays there: a shift never signs anyone out mid-visit. They follow their
//      cohort once that session ends (sign-out, expiry), or at 0 and 100.
//   5. anyone else: this app when cohort < percent, else v1.0.
// Cohort < percent is monotonic: raising the percentage only moves visitors from v1.0 to this
// app, lowering it only the other way, and at a given percentage a cohort always lands on the
// same stack. A visitor never bounces between two logins.
//
// A first-time visitor (no cs_cohort, or one that is not 0..99) gets a cohort derived from
// CloudFront's request id, which is random per request. A viewer-request function cannot set
// a response cookie, so the viewer-response function (cohort-cookie.js, on the same
// behaviours) derives the same cohort from the same request id (the id names a request and
// its response) and sets the cookie. The two functions share cohortForRequestId below; the
// Node tests hold them to it (router.test.mjs).
//
// The origins are the distribution's own, selected by id (distribution.json): "app" (this
// app's API Gateway custom domain) and "v1" (v1.0). Every routed behaviour targets "v1" too,
// so a request this function did not route still reaches the old stack.

var kvs = cf.kvs();

var PERCENT_KEY = 'app_percent';
var APP_ORIGIN = 'app';
var V1_ORIGIN = 'v1';
var COHORT_COOKIE = 'cs_cohort';
var APP_ONLY_SHARE_PATH = /^\/share\/[A-Za-z0-9_-]{23,64}(\/|$)/;
// This app's Django session (settings.SESSION_COOKIE_NAME; tests/test_cloudfront_function.py
// checks it). v1.0's Auth.js session, every name it uses: NextAuth 4 and Auth.js 5, with the
// __Secure- prefix on HTTPS, and split into .0, .1, ... when the value is long.
var APP_SESSION_COOKIES = ['sessionid'];
var V1_SESSION_COOKIES = [
    'next-auth.session-token',
    '__secure-next-auth.session-token',
    'authjs.session-token',
    '__secure-authjs.session-token'
];

async function handler(event) {
    var request = event.request;
    var percent = await appPercent();
    var cohort = cohortOf(request.cookies, event.context.requestId);
    cf.selectRequestOriginById(stackFor(percent, cohort, request));
    return request;
}

async function appPercent() {
    var value;
    try {
        value = await kvs.get(PERCENT_KEY);
    } catch (err) {
        return 0; // no key yet, or the store unreadable: everyone on v1.0
    }
    return /^(100|[1-9]?[0-9])$/.test(value) ? parseInt(value, 10) : 0;
}

function stackFor(percent, cohort, request) {
    if (percent <= 0) {
        return V1_ORIGIN;
    }
    if (percent >= 100 || APP_ONLY_SHARE_PATH.test(request.uri)) {
        return APP_ORIGIN;
    }
    var cookies = request.cookies;
    var onApp = holdsAny(cookies, APP_SESSION_COOKIES);
    var onV1 = holdsAny(cookies, V1_SESSION_COOKIES);
    if (onApp && !onV1) {
        return APP_ORIGIN;
    }
    if (onV1 && !onApp) {
        return V1_ORIGIN;
    }
    return cohort < percent ? APP_ORIGIN : V1_ORIGIN;
}

function cohortOf(cookies, requestId) {
    var held = cookies[COHORT_COOKIE];
    if (held && isCohort(held.value)) {
        return parseInt(held.value, 10);
    }
    return cohortForRequestId(requestId);
}

function isCohort(value) {
    return /^[1-9]?[0-9]$/.test(value);
}

// Cookie names compared without case: CloudFront passes them as the viewer sent them.
function holdsAny(cookies, names) {
    for (var name in cookies) {
        var lower = name.toLowerCase();
        for (var i = 0; i < names.length; i++) {
            if (lower === names[i] || lower.indexOf(names[i] + '.') === 0) {
                return true;
            }
        }
    }
    return false;
}

// Keep identical to cohort-cookie.js. FNV-1a (32 bits) of the request id, then modulo 100.
// The multiplication by the FNV prime (2^24 + 403) is split in two so it stays exact in
// doubles without Math.imul.
function cohortForRequestId(requestId) {
    var hash = 2166136261;
    var text = String(requestId || '');
    for (var i = 0; i < text.length; i++) {
        hash = (hash ^ text.charCodeAt(i)) >>> 0;
        hash = (hash * 403 + ((hash << 24) >>> 0)) >>> 0;
    }
    return hash % 100;
}
