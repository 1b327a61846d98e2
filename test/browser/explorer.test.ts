/**
 * The explorer in a real browser (headless Chromium), over the whole local stack behind the
 * development identity provider: the page loads everything it needs from the gateway and not one
 * request leaves this machine; a caseworker asks the citizen overview and the sample citizen
 * asks their own page, each by choosing the role, the sample's tab and pressing run, and the
 * response pane shows the world's data and no error.
 *
 * Without Chromium: a failure under CI, a skip (with how to install it) elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { CHROMIUM_MISSING, chromiumInstalled, launchChromium, type HeadlessChromium } from '../support/chromium';

const installed = chromiumInstalled();
if (!installed && !process.env['CI']) console.warn(`skipping the explorer's browser test. ${CHROMIUM_MISSING}`);

describe.runIf(!installed && process.env['CI'])('the explorer in a browser, under CI', () => {
  it('has Chromium to run in', () => {
    throw new Error(CHROMIUM_MISSING);
  });
});

describe.runIf(installed)('the explorer in a browser', () => {
  let stack: AuthedStack;
  let browser: HeadlessChromium;
  let page: Page;
  let person: Person;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    // This test is about the page, not the stack's speed: a budget a busy two-core machine keeps
    // within, and one overview asked before the browser comes, so the SOAP clients are built.
    [stack, browser] = await Promise.all([startAuthedStack({ gateway: { requestBudgetMs: 15_000 } }), launchChromium()]);
    person = sampleCitizens(stack.world).get('0101')!;
    await stack.ask(await stack.mint.caseworker('0101'), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    // Every request of every page and worker of the browser, whatever starts it.
    browser.context.on('request', (request: Request) => requests.push(request.url()));
    page = await browser.context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // A refused resource (Content-Security-Policy) is a console error; a failed request is a response.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      const asked = response.request().postData() ?? '';
      // The one refusal asked for: the overview as nobody (below).
      const expected = response.status() === 401 && asked.includes('query CitizenOverview');
      if (response.status() >= 400 && !expected) problems.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
    });
    await page.goto(stack.gateway.url);
    await page.locator('.graphiql-container').waitFor();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('loads its scripts and styles from the gateway, and asks the gateway for the schema', async () => {
    const schemaAsked = (url: string) => url === stack.gateway.url;
    await expect.poll(() => requests.some(schemaAsked)).toBe(true);
    expect(requests.filter((url) => new URL(url).pathname.startsWith('/explorer/'))).toHaveLength(6);
  });

  it('answers the citizen overview asked as a caseworker: the citizen\'s name, their cases, no error', { timeout: 60_000 }, async () => {
    const answer = await askThroughPage(page, 'Caseworker, København (0101)', 'CitizenOverview');
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    const citizen = answer.data?.citizen as { cpr: string; name: { full: string }; cases: { number: string }[] };
    expect(citizen.cpr).toBe(formatCpr(person.cpr));
    expect(citizen.name.full).toContain(person.familyName);
    const seeded = (stack.world.casesByParty.get(person.cpr) ?? []).map((id) => stack.world.cases.get(id)!.number);
    expect(citizen.cases.map((c) => c.number).sort()).toEqual([...seeded].sort());
    // As the reader sees it, not only as the editor holds it.
    await expect.poll(() => page.locator('.graphiql-response').innerText()).toContain(person.familyName);
  });

  it('answers the citizen\'s own page asked as the sample citizen, with no error', { timeout: 60_000 }, async () => {
    const answer = await askThroughPage(page, `Citizen ${formatCpr(person.cpr)} (the sample citizen, self-service)`, 'MyPage');
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    const citizen = answer.data?.citizen as { name: { full: string }; cases: { number: string; status: string }[] };
    expect(citizen.name.full).toContain(person.familyName);
    const seeded = (stack.world.casesByParty.get(person.cpr) ?? []).map((id) => stack.world.cases.get(id)!.number);
    expect(citizen.cases.map((c) => c.number).sort()).toEqual([...seeded].sort());
    expect(seeded.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.graphiql-response').innerText()).toContain(seeded[0]!);
  });

  it('asks with a pasted token when told to, as with any other identity provider', { timeout: 60_000 }, async () => {
    await page.selectOption('#explorer-role', { label: 'A token I paste' });
    await page.locator('#explorer-token').fill(`Bearer ${await stack.mint.caseworker('0101')}`);
    const answer = await askThroughPage(page, 'A token I paste', 'CaseList');
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    const list = answer.data?.cases as { nodes: { number: string }[]; scope: { municipalityCode: string } };
    expect(list.scope.municipalityCode).toBe('0101');
    expect(list.nodes.length).toBeGreaterThan(0);
  });

  it('asks as nobody when told to: the same overview is refused, 401', { timeout: 60_000 }, async () => {
    const answer = await askThroughPage(page, 'Nobody (public data only)', 'CitizenOverview');
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('throughout, sent no request beyond this machine, and nothing failed or was blocked', () => {
    const gateway = new URL(stack.gateway.url);
    const elsewhere = requests.filter((url) => {
      const parsed = new URL(url);
      // data: URLs are fonts and icons inside GraphiQL's own style sheet: nothing is fetched.
      if (parsed.protocol === 'data:') return false;
      return !['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname) || parsed.port !== gateway.port;
    });
    expect(requests.length).toBeGreaterThan(8);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** As a reader does it: choose whom to ask as, open the sample's tab, press run; the response pane's text. */
async function askThroughPage(page: Page, role: string, operation: string): Promise<Answer> {
  await page.selectOption('#explorer-role', { label: role });
  await page.locator('.graphiql-tab', { hasText: operation }).click();
  await page.locator('.graphiql-tab-active', { hasText: operation }).waitFor();
  const before = await responseText(page);
  const answered = page.waitForResponse((response) => response.request().method() === 'POST' && response.request().postData()?.includes(`query ${operation}`) === true);
  await page.locator('.graphiql-execute-button').click();
  await answered;
  // The pane fills after the answer arrives; it is JSON once GraphiQL has written it.
  await expect.poll(async () => {
    const text = await responseText(page);
    return text !== before && isJson(text);
  }, { timeout: 15_000 }).toBe(true);
  return JSON.parse(await responseText(page)) as Answer;
}

/** The whole response, from the editor (CodeMirror draws only the lines in view). */
function responseText(page: Page): Promise<string> {
  return page.evaluate(() => {
    // Run in the page: its DOM, typed here by hand (the project compiles without the DOM's types).
    const { document } = globalThis as unknown as { document: { querySelector(selector: string): { CodeMirror?: { getValue(): string } } | null } };
    return document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '';
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
