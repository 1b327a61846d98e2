/**
 * Reading a procedure from BPMN 2.0 and judging it: the project's own catalogue, and each way a
 * file can be no procedure, named in words.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../../../runtime/config';
import { DEFAULT_PROCEDURES_DIR } from '../index';
import { allowedMoves, procedureFor, readProcedure, ProcedureInvalid } from '../procedure';
import { procedureCatalogue, readProcedureFolder } from '../procedureCatalogue';

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:p="https://specs.kommune-graph.dk/procedure/v1" id="d" targetNamespace="x">`;
/** A procedure of three steps with a loop back from the decision, in a file of its own shape. */
const bpmn = (process: string) => `${HEAD}${process}</bpmn:definitions>`;
const SMALL = bpmn(`<bpmn:process id="lille" name="Lille procedure" p:kle="17.02">
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="a" name="Modtag" p:caseStatus="Opstaaet"/>
  <bpmn:serviceTask id="b" name="Afgør" p:caseStatus="Afgjort"/>
  <bpmn:manualTask id="c" name="Afslut" p:caseStatus="Afsluttet"/>
  <bpmn:exclusiveGateway id="g"/>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
  <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
  <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="g"/>
  <bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="a"/>
  <bpmn:sequenceFlow id="f5" sourceRef="g" targetRef="c"/>
  <bpmn:sequenceFlow id="f6" sourceRef="c" targetRef="e"/>
</bpmn:process>`);

const problemsOf = async (xml: string) => {
  try {
    await readProcedure(xml, 'x.bpmn');
  } catch (error) {
    if (error instanceof ProcedureInvalid) return error.problems;
    throw error;
  }
  return [];
};

describe('a procedure read from BPMN', () => {
  it('has its steps, its first step, and where each leads through gateways, whatever prefix the file gives the namespace', async () => {
    const p = await readProcedure(SMALL, 'lille.bpmn');
    expect(p).toMatchObject({ id: 'lille', name: 'Lille procedure', kle: '17.02', source: 'lille.bpmn' });
    expect(p.steps.map((s) => [s.id, s.caseStatus])).toEqual([['a', 'Opstaaet'], ['b', 'Afgjort'], ['c', 'Afsluttet']]);
    expect(p.first.id).toBe('a');
    expect(p.next.get('a')!.map((s) => s.id)).toEqual(['b']);
    expect(p.next.get('b')!.map((s) => s.id).sort()).toEqual(['a', 'c']);
    expect(p.next.get('c')).toEqual([]);
    expect(p.stepAt('Afgjort')?.id).toBe('b');
    expect(p.stepAt('Oplyst')).toBeUndefined();
  });

  it('allows the moves to the next steps, and any step to a case whose status is none of its steps', async () => {
    const p = await readProcedure(SMALL, 'lille.bpmn');
    expect(allowedMoves(p, 'Opstaaet').map((s) => s.caseStatus)).toEqual(['Afgjort']);
    expect(allowedMoves(p, null).map((s) => s.caseStatus)).toEqual(['Afgjort']);
    expect(allowedMoves(p, 'Afsluttet')).toEqual([]);
    expect(allowedMoves(p, 'Oplyst').map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });

  it('is found for a subject by the subject, else its group, else its main group', async () => {
    const p = await readProcedure(SMALL, 'lille.bpmn');
    const byKle = new Map([['17.02', p]]);
    expect(procedureFor(byKle, '17.02.05')).toBe(p);
    expect(procedureFor(byKle, '17.03.05')).toBeUndefined();
    expect(procedureFor(new Map([['17', p]]), '17.03.05')).toBe(p);
    expect(procedureFor(new Map([['17.03.05', p], ['17', { ...p, id: 'other' }]]), '17.03.05')).toBe(p);
    expect(procedureFor(byKle, null)).toBeUndefined();
  });

  it.each([
    ['not XML at all', 'no procedure', /not BPMN 2\.0 XML/],
    ['no procedure namespace', SMALL.replace('xmlns:p="https://specs.kommune-graph.dk/procedure/v1"', 'xmlns:p="urn:other"'), /does not declare the procedure namespace/],
    ['no KLE number', SMALL.replace(' p:kle="17.02"', ''), /names no KLE number/],
    ['a KLE number that is none', SMALL.replace('p:kle="17.02"', 'p:kle="17-02"'), /"17-02" is not a KLE number/],
    ['a step without a status', SMALL.replace(' p:caseStatus="Afgjort"', ''), /step b \("Afgør"\) names no case status/],
    ['a status that is none', SMALL.replace('p:caseStatus="Afgjort"', 'p:caseStatus="Decided"'), /"Decided" is not one of Opstaaet, Oplyst, Afgjort, Afsluttet/],
    ['two steps for one status', SMALL.replace('p:caseStatus="Afsluttet"', 'p:caseStatus="Afgjort"'), /step c \("Afslut"\) and step b both stand for Afgjort/],
    ['a flow to nowhere', SMALL.replace('targetRef="e"', 'targetRef="nowhere"'), /BPMN: unresolved reference <nowhere>/],
    ['a first step that is not Opstaaet', SMALL.replace('targetRef="a"/>\n  <bpmn:sequenceFlow id="f2"', 'targetRef="b"/>\n  <bpmn:sequenceFlow id="f2"'), /first step b stands for Afgjort/],
    ['a step that cannot be reached', SMALL.replace('<bpmn:sequenceFlow id="f5" sourceRef="g" targetRef="c"/>', ''), /step c cannot be reached from the start/],
    ['no start event', SMALL.replace('<bpmn:startEvent id="s"/>', '').replace('<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>', ''), /has no start event/],
    ['two processes', bpmn('<bpmn:process id="a"/><bpmn:process id="b"/>'), /holds 2 processes/],
  ])('refuses %s, saying so', async (_what, xml, message) => {
    expect((await problemsOf(xml)).join('\n')).toMatch(message);
  });
});

describe('the procedure catalogue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procedures-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the project\'s own: six procedures, each valid, among them sickness benefits, housing benefit, a building permit, an environmental permit and help at home', async () => {
    const byKle = await readProcedureFolder(DEFAULT_PROCEDURES_DIR);
    expect([...byKle.keys()].sort()).toEqual(['02.34', '09.02', '27.36.20', '32.03.16', '32.06', '32.30']);
    for (const p of byKle.values()) expect(p.steps.map((s) => s.caseStatus)).toEqual(['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet']);
    expect(byKle.get('32.30')!.name).toBe('Sygedagpenge');
  });

  it('refuses two procedures for one KLE number, and names every bad file', async () => {
    const folder = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(folder, 'a.bpmn'), SMALL);
    writeFileSync(join(folder, 'b.bpmn'), SMALL.replace('id="lille"', 'id="lille2"'));
    writeFileSync(join(folder, 'c.bpmn'), 'no procedure');
    writeFileSync(join(folder, 'notes.txt'), 'not a procedure file: ignored');
    const error = await readProcedureFolder(folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).issues).toEqual([expect.stringMatching(/^b\.bpmn: KLE 17\.02 has a procedure already, a\.bpmn$/), expect.stringMatching(/^c\.bpmn: not BPMN 2\.0 XML/)]);
  });

  it('takes a new procedure file when it is added, and refuses a bad one with the reason while the one in force stays', async () => {
    const folder = mkdtempSync(join(dir, 'live-'));
    writeFileSync(join(folder, 'lille.bpmn'), SMALL);
    const refused: ConfigInvalid[] = [];
    const changes: number[] = [];
    const catalogue = await procedureCatalogue(folder, { debounceMs: 20, onChange: (now) => changes.push(now.version), onRefused: (e) => refused.push(e) });
    try {
      expect([...catalogue.current().byKle.keys()]).toEqual(['17.02']);
      writeFileSync(join(folder, 'sygedagpenge.bpmn'), readFileSync(join(DEFAULT_PROCEDURES_DIR, 'sygedagpenge.bpmn')));
      await expect.poll(() => catalogue.current().version, { timeout: 5_000 }).toBe(2);
      expect([...catalogue.current().byKle.keys()].sort()).toEqual(['17.02', '32.30']);

      writeFileSync(join(folder, 'broken.bpmn'), SMALL.replace('p:kle="17.02"', 'p:kle="18.01"').replace(' p:caseStatus="Afgjort"', ''));
      await expect.poll(() => refused.length, { timeout: 5_000 }).toBeGreaterThan(0);
      expect(refused[0]!.message).toMatch(/broken\.bpmn: step b \("Afgør"\) names no case status/);
      expect(catalogue.current().version).toBe(2);
      expect([...catalogue.current().byKle.keys()].sort()).toEqual(['17.02', '32.30']);

      unlinkSync(join(folder, 'broken.bpmn'));
      writeFileSync(join(folder, 'lille.bpmn'), SMALL.replace('name="Lille procedure"', 'name="Lille procedure, ny udgave"'));
      await expect.poll(() => catalogue.current().byKle.get('17.02')?.name, { timeout: 5_000 }).toBe('Lille procedure, ny udgave');
      expect(changes.at(-1)).toBe(catalogue.current().version);
    } finally {
      catalogue.close();
    }
  });
});
