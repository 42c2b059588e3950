// Unit tests of the CloudFront Functions (Node 20: `node --test deploy/cloudfront/`).
//
// CloudFront's `cloudfront` module is not on npm: each function's source is read, its
// `import cf from 'cloudfront'` line dropped, and the rest evaluated with a stand-in `cf`
// whose KeyValueStore holds what a test says and which records the origin selected.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';

const ROUTER = new URL('./router.js', import.meta.url);
const COHORT_COOKIE_FUNCTION = new URL('./cohort-cookie.js', import.meta.url);
const IMPORT_LINE = "import cf from 'cloudfront';";
const VISITORS = 10000;

function load(url, cf) {
    const source = readFileSync(url, 'utf8');
    const body = source.replace(IMPORT_LINE, '');
    return new Function('cf', `${body}\nreturn { handler, cohortForRequestId };`)(cf);
}

// The stand-in for CloudFront: `store.percent` is the KeyValueStore's app_percent (undefined:
// no such key); `store.broken` makes every read fail.
function edge(percent) {
    const store = { percent: percent === undefined ? undefined : String(percent), broken: false };
    const selected = [];
    const cf = {
        kvs: () => ({
            get: async (key) => {
                if (store.broken) throw new Error('KeyValueStore unreachable');
                if (key !== 'app_percent' || store.percent === undefined) throw new Error(`Key not found: ${key}`);
                return store.percent;
            },
        }),
        selectRequestOriginById: (id) => selected.push(id),
        updateRequestOrigin: () => assert.fail('the router selects origins by id'),
    };
    const router = load(ROUTER, cf);
    const cookieFunction = load(COHORT_COOKIE_FUNCTION, {});
    return {
        store,
        // One viewer request: the origin it goes to, and the response's new cohort cookie.
        async visit({ cookies = {}, requestId = requestIdOf(Math.random()), uri = '/' } = {}) {
            const request = { method: 'GET', uri, querystring: {}, headers: {}, cookies: asCookies(cookies) };
            const context = { eventType: 'viewer-request', requestId };
            const returned = await router.handler({ version: '1.0', context, viewer: { ip: '198.51.100.7' }, request });
            assert.equal(returned, request, 'the request goes on to the origin');
            assert.equal(selected.length, 1, 'exactly one origin selected');
            const origin = selected.pop();
            const response = cookieFunction.handler({
                version: '1.0',
                context: { eventType: 'viewer-response', requestId },
                viewer: { ip: '198.51.100.7' },
                request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: asCookies(cookies) },
                response: { statusCode: 200, headers: {}, cookies: {} },
            });
            const set = response.cookies.cs_cohort;
            return { origin, newCohort: set && set.value, setCookie: set };
        },
    };
}

function asCookies(cookies) {
    return Object.fromEntries(Object.entries(cookies).map(([name, value]) => [name, { value }]));
}

// Request ids shaped like CloudFront's (56 characters of URL-safe base64), reproducible.
function requestIdOf(seed) {
    return createHash('sha512').update(String(seed)).digest('base64url').slice(0, 54) + '==';
}

// A first visit, then the visitor's cohort cookie from the answer.
async function newVisitor(site, seed) {
    const first = await site.visit({ requestId: requestIdOf(seed) });
    assert.match(first.newCohort, /^[1-9]?[0-9]$/);
    return { cohort: first.newCohort, firstOrigin: first.origin };
}

async function originOf(site, cohort, seed, extraCookies = {}) {
    const { origin, setCookie } = await site.visit({ cookies: { cs_cohort: cohort, ...extraCookies }, requestId: requestIdOf(seed) });
    assert.equal(setCookie, undefined, 'a valid cohort cookie is not set again');
    return origin;
}

describe('routing by cohort', () => {
    it('is sticky: the same cookie lands on the same stack on every request', async () => {
        for (const percent of [10, 25, 50]) {
            const site = edge(percent);
            for (let cohort = 0; cohort < 100; cohort++) {
                const expected = cohort < percent ? 'app' : 'v1';
                for (let request = 0; request < 20; request++) {
                    assert.equal(await originOf(site, String(cohort), `${percent}/${cohort}/${request}`), expected);
                }
            }
        }
    });

    it('gives a first-time visitor the cohort it routed them by', async () => {
        const site = edge(25);
        for (let seed = 0; seed < 1000; seed++) {
            const { cohort, firstOrigin } = await newVisitor(site, `first/${seed}`);
            assert.equal(firstOrigin, Number(cohort) < 25 ? 'app' : 'v1');
            for (let request = 0; request < 5; request++) {
                assert.equal(await originOf(site, cohort, `again/${seed}/${request}`), firstOrigin);
            }
        }
    });

    it('follows the percentage within 2 points over 10,000 new visitors', async () => {
        for (const percent of [0, 10, 25, 50, 100]) {
            const site = edge(percent);
            let onApp = 0;
            for (let seed = 0; seed < VISITORS; seed++) {
                if ((await site.visit({ requestId: requestIdOf(`share/${percent}/${seed}`) })).origin === 'app') onApp++;
            }
            const share = (100 * onApp) / VISITORS;
            assert.ok(Math.abs(share - percent) <= 2, `${percent} %: ${share} % of new visitors on the app`);
        }
    });

    it('only moves visitors from v1.0 to the app when the percentage rises', async () => {
        const site = edge(0);
        const cohorts = [];
        for (let seed = 0; seed < 2000; seed++) cohorts.push((await newVisitor(site, `steps/${seed}`)).cohort);
        let before = cohorts.map(() => 'v1');
        for (const percent of [10, 25, 50, 100]) {
            site.store.percent = String(percent);
            const after = [];
            for (const [i, cohort] of cohorts.entries()) after.push(await originOf(site, cohort, `steps/${percent}/${i}`));
            after.forEach((origin, i) => assert.ok(!(before[i] === 'app' && origin === 'v1'), `cohort ${cohorts[i]} left the app at ${percent} %`));
            before = after;
        }
        assert.ok(before.every((origin) => origin === 'app'), 'everyone is on the app at 100 %');
    });

    it('sends everyone back to v1.0 on rollback to 0, signed in or not', async () => {
        const site = edge(50);
        for (let cohort = 0; cohort < 100; cohort++) {
            site.store.percent = '50';
            assert.equal(await originOf(site, String(cohort), `roll/${cohort}`, { sessionid: 's' }), 'app');
            site.store.percent = '0';
            assert.equal(await originOf(site, String(cohort), `back/${cohort}`), 'v1');
            assert.equal(await originOf(site, String(cohort), `back-signed-in/${cohort}`, { sessionid: 's' }), 'v1');
        }
        for (let seed = 0; seed < 1000; seed++) assert.equal((await site.visit({ requestId: requestIdOf(`new/${seed}`) })).origin, 'v1');
    });
});

describe('the cohort cookie', () => {
    it('is replaced when missing or not a cohort 0..99', async () => {
        const site = edge(50);
        for (const garbage of [undefined, '', 'abc', '100', '-1', '07', '5x', ' 5', '1e1', '0x1']) {
            const cookies = garbage === undefined ? {} : { cs_cohort: garbage };
            const requestId = requestIdOf(`garbage/${garbage}`);
            const { origin, newCohort } = await site.visit({ cookies, requestId });
            assert.match(newCohort, /^[1-9]?[0-9]$/, `cookie ${JSON.stringify(garbage)} gets a new cohort`);
            assert.equal(origin, Number(newCohort) < 50 ? 'app' : 'v1');
        }
    });

    it('is long-lived, Secure, HttpOnly and SameSite=Lax for the whole site', async () => {
        const { setCookie } = await edge(10).visit();
        const attributes = setCookie.attributes.split(';').map((part) => part.trim());
        for (const wanted of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(attributes.includes(wanted), wanted);
        const maxAge = Number(attributes.find((part) => part.startsWith('Max-Age=')).slice('Max-Age='.length));
        assert.ok(maxAge >= 365 * 24 * 3600, `Max-Age ${maxAge}`);
    });

    it("keeps the origin's own cookies on the response", () => {
        const cookieFunction = load(COHORT_COOKIE_FUNCTION, {});
        const response = cookieFunction.handler({
            context: { eventType: 'viewer-response', requestId: requestIdOf('keep') },
            request: { cookies: {} },
            response: { statusCode: 200, headers: {}, cookies: { sessionid: { value: 'x', attributes: 'Secure' } } },
        });
        assert.deepEqual(Object.keys(response.cookies).sort(), ['cs_cohort', 'sessionid']);
    });

    it('is drawn by the same code in both functions', () => {
        const functionText = (url) => readFileSync(url, 'utf8').match(/function cohortForRequestId[\s\S]*?\n}\n/)[0];
        assert.equal(functionText(ROUTER), functionText(COHORT_COOKIE_FUNCTION));
        const router = load(ROUTER, { kvs: () => ({}) });
        const cookieFunction = load(COHORT_COOKIE_FUNCTION, {});
        for (let seed = 0; seed < 1000; seed++) {
            const requestId = requestIdOf(`same/${seed}`);
            assert.equal(router.cohortForRequestId(requestId), cookieFunction.cohortForRequestId(requestId));
        }
    });
});

describe('signed-in visitors', () => {
    const V1_SESSIONS = [
        'next-auth.session-token',
        '__Secure-next-auth.session-token',
        '__Secure-next-auth.session-token.0',
        'authjs.session-token',
        '__Secure-authjs.session-token',
    ];

    it("stay on the stack they are signed in on while it still serves anyone", async () => {
        const site = edge();
        for (const percent of ['1', '10', '50', '99']) {
            site.store.percent = percent;
            assert.equal(await originOf(site, '99', `app-session/${percent}`, { sessionid: 's' }), 'app');
            for (const name of V1_SESSIONS) assert.equal(await originOf(site, '0', `v1-session/${percent}/${name}`, { [name]: 't' }), 'v1', name);
        }
    });

    it('follow their cohort when they hold both sessions', async () => {
        const site = edge(50);
        const both = { sessionid: 's', '__Secure-next-auth.session-token': 't' };
        assert.equal(await originOf(site, '10', 'both/low', both), 'app');
        assert.equal(await originOf(site, '90', 'both/high', both), 'v1');
    });

    it('all move to the app at 100 % and to v1.0 at 0 %', async () => {
        const site = edge(100);
        for (const name of V1_SESSIONS) assert.equal(await originOf(site, '99', `all/${name}`, { [name]: 't' }), 'app');
        site.store.percent = '0';
        assert.equal(await originOf(site, '0', 'none', { sessionid: 's' }), 'v1');
    });

    it('are not confused by cookies that only look alike', async () => {
        const site = edge(50);
        assert.equal(await originOf(site, '90', 'csrf', { 'next-auth.csrf-token': 't', sessionid_old: 'x' }), 'v1');
        assert.equal(await originOf(site, '10', 'csrf2', { 'next-auth.csrf-token': 't' }), 'app');
    });
});

describe('share links', () => {
    const APP_TOKEN = 'q8Xr0v2Jb4Hk6Lm8Np0Qr2St4Uv6Wx8Yz0Ab2Cd4Efg'; // 43 characters: made here
    const V1_TOKEN = 'Zm9vYmFyYmF6cXV4cXV1eA'; // 22 characters: v1.0's, on both stacks

    it("that only this app can open go to it, whatever the cohort, until a rollback", async () => {
        const site = edge(10);
        for (const uri of [`/share/${APP_TOKEN}`, `/share/${APP_TOKEN}/`, `/share/${APP_TOKEN}/transcript/`]) {
            for (const cohort of ['10', '99']) {
                const cookies = { cs_cohort: cohort, 'next-auth.session-token': 't' };
                assert.equal((await site.visit({ cookies, uri })).origin, 'app', `${uri} for cohort ${cohort}`);
            }
        }
        site.store.percent = '0';
        assert.equal((await site.visit({ cookies: { cs_cohort: '0' }, uri: `/share/${APP_TOKEN}/` })).origin, 'v1');
    });

    it("of v1.0's follow the cohort like any page", async () => {
        const site = edge(10);
        assert.equal((await site.visit({ cookies: { cs_cohort: '99' }, uri: `/share/${V1_TOKEN}/` })).origin, 'v1');
        assert.equal((await site.visit({ cookies: { cs_cohort: '5' }, uri: `/share/${V1_TOKEN}/` })).origin, 'app');
        assert.equal((await site.visit({ cookies: { cs_cohort: '99' }, uri: `/campaigns/${APP_TOKEN}/` })).origin, 'v1');
    });
});

describe('the percentage in the KeyValueStore', () => {
    it('counts as 0 when the key is missing, unreadable or not an integer 0..100', async () => {
        const site = edge();
        const cases = [undefined, '', 'abc', '101', '-5', '25.5', ' 25', '1e2', '050'];
        for (const value of cases) {
            site.store.percent = value;
            for (const cohort of ['0', '49', '99']) assert.equal(await originOf(site, cohort, `bad/${value}/${cohort}`), 'v1', `value ${JSON.stringify(value)}`);
        }
        site.store.percent = '100';
        site.store.broken = true;
        for (const cohort of ['0', '49', '99']) assert.equal(await originOf(site, cohort, `broken/${cohort}`, { sessionid: 's' }), 'v1');
    });
});

describe('CloudFront Functions limits', () => {
    it('keeps each function under 10 KB', () => {
        for (const url of [ROUTER, COHORT_COOKIE_FUNCTION]) assert.ok(statSync(url).size < 10 * 1024, `${url.pathname}: ${statSync(url).size} bytes`);
    });

    it('has the router import the cloudfront module on its first line, as runtime 2.0 asks', () => {
        assert.equal(readFileSync(ROUTER, 'utf8').split('\n')[0], IMPORT_LINE);
    });
});
