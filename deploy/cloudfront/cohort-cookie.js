// Viewer response (runtime cloudfront-js-2.0), paired with router.js on every routed
// behaviour: gives a first-time visitor the cohort router.js used for them.
//
// The viewer-request function cannot set a cookie on the response, and what it adds to the
// request need not reach this function (CloudFront hands it the request as the viewer sent
// it). Both functions therefore derive the new cohort from the request id, which CloudFront
// gives the request and its response alike: the cookie set here names the stack the visitor
// was just sent to. A visitor who already holds a valid cs_cohort gets no Set-Cookie.
//
// CloudFront runs no viewer-response function when the origin answers 400 or more: such a
// visitor gets a cohort on their next successful page, drawn afresh (nothing of theirs lives
// on either stack yet).

var COHORT_COOKIE = 'cs_cohort';
var COHORT_MAX_AGE = 34560000; // 400 days, the longest a browser keeps a cookie
var COHORT_ATTRIBUTES = 'Path=/; Max-Age=' + COHORT_MAX_AGE + '; Secure; HttpOnly; SameSite=Lax';

function handler(event) {
    var response = event.response;
    var held = event.request.cookies[COHORT_COOKIE];
    if (held && isCohort(held.value)) {
        return response;
    }
    if (!response.cookies) {
        response.cookies = {};
    }
    response.cookies[COHORT_COOKIE] = {
        value: String(cohortForRequestId(event.context.requestId)),
        attributes: COHORT_ATTRIBUTES
    };
    return response;
}

function isCohort(value) {
    return /^[1-9]?[0-9]$/.test(value);
}

// Keep identical to router.js. FNV-1a (32 bits) of the request id, then modulo 100.
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
