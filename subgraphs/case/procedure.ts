/**
 * A procedure (Procedure Bank: "the correct procedure") is a BPMN 2.0 process describing how a case
 * of one KLE subject moves. Its activities are the procedure's steps; each names the case status
 * (FremdriftStatusKode) the case is in while at that step, in the procedure namespace's
 * `caseStatus` attribute, and the process names the KLE subject, group or main group it serves in
 * `kle`. The case system stores only the status, so a status is at most one step's: that is how a
 * case's current step is known without a store of our own.
 *
 *   <bpmn:process id="sygedagpenge" name="Sygedagpenge" kg:kle="32.30" …>
 *     <bpmn:userTask id="oplys" name="Indhent oplysninger" kg:caseStatus="Oplyst"/>
 *
 * Parsing is bpmn-moddle's; this module only reads the model and judges it.
 */
import { BpmnModdle } from 'bpmn-moddle';
import type { EsdhCaseStatus } from '../../adapters/esdh';

/** The namespace of the procedure attributes (`kg:kle`, `kg:caseStatus`). */
export const PROCEDURE_NS = 'https://specs.kommune-graph.dk/procedure/v1';

const CASE_STATUSES: readonly EsdhCaseStatus[] = ['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet'];
/** A KLE main group (09), group (09.02) or subject (09.02.00). */
const KLE_NUMBER = /^\d{2}(\.\d{2}){0,2}$/;

export interface ProcedureStep {
  /** The BPMN activity's id. */
  id: string;
  name: string;
  caseStatus: EsdhCaseStatus;
}

export interface Procedure {
  /** The BPMN process's id. */
  id: string;
  name: string;
  /** The KLE number it serves: a subject, a group or a main group. */
  kle: string;
  /** Its source (the file name), for messages. */
  source: string;
  steps: readonly ProcedureStep[];
  /** The step a new case starts at. */
  first: ProcedureStep;
  /** The steps that may follow each step (by step id), through gateways and events. */
  next: ReadonlyMap<string, readonly ProcedureStep[]>;
  /** The step for a case status, if the procedure has one. */
  stepAt(status: string | null | undefined): ProcedureStep | undefined;
}

/** A file that is no procedure: every reason, in words. */
export class ProcedureInvalid extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'ProcedureInvalid';
  }
}

/** What of bpmn-moddle's model this reads. */
interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  $attrs?: Record<string, string>;
  flowElements?: ModdleElement[];
  rootElements?: ModdleElement[];
  sourceRef?: ModdleElement;
  targetRef?: ModdleElement;
  outgoing?: ModdleElement[];
}

const isActivity = (e: ModdleElement) => /Task$/.test(e.$type) || e.$type === 'bpmn:SubProcess' || e.$type === 'bpmn:CallActivity';

/** The value of an attribute in the procedure namespace, whatever prefix the file gives it. */
function procedureAttribute(element: ModdleElement, local: string, prefixes: ReadonlySet<string>): string | undefined {
  for (const [name, value] of Object.entries(element.$attrs ?? {})) {
    const [prefix, attribute] = name.includes(':') ? name.split(':', 2) : ['', name];
    if (attribute === local && prefixes.has(prefix!)) return value;
  }
  return undefined;
}

/** Parses and judges one BPMN file; throws ProcedureInvalid naming every problem. */
export async function readProcedure(xml: string, source: string): Promise<Procedure> {
  let parsed: { rootElement: ModdleElement; warnings: { message: string }[] };
  try {
    parsed = (await new BpmnModdle().fromXML(xml)) as unknown as typeof parsed;
  } catch (error) {
    throw new ProcedureInvalid(source, [`not BPMN 2.0 XML (${(error as Error).message.split('\n')[0]})`]);
  }
  const problems = parsed.warnings.map((w) => `BPMN: ${w.message.split('\n')[0]}`);
  const definitions = parsed.rootElement;
  // The prefixes the file binds to the procedure namespace (xmlns:kg="…").
  const prefixes = new Set(Object.entries(definitions.$attrs ?? {}).filter(([k, v]) => k.startsWith('xmlns:') && v === PROCEDURE_NS).map(([k]) => k.slice('xmlns:'.length)));
  const processes = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  if (processes.length !== 1) throw new ProcedureInvalid(source, [...problems, `holds ${processes.length} processes; a procedure is one bpmn:process`]);
  const process = processes[0]!;
  if (prefixes.size === 0) problems.push(`does not declare the procedure namespace ${PROCEDURE_NS}`);
  const kle = procedureAttribute(process, 'kle', prefixes);
  if (!kle) problems.push('the process names no KLE number (kg:kle="32.30", a subject, group or main group)');
  else if (!KLE_NUMBER.test(kle)) problems.push(`kg:kle="${kle.slice(0, 20)}" is not a KLE number (09, 09.02 or 09.02.00)`);

  const elements = process.flowElements ?? [];
  const steps: ProcedureStep[] = [];
  const byStatus = new Map<string, ProcedureStep>();
  for (const activity of elements.filter(isActivity)) {
    const where = `step ${activity.id}${activity.name ? ` ("${activity.name}")` : ''}`;
    const status = procedureAttribute(activity, 'caseStatus', prefixes);
    if (!activity.name?.trim()) problems.push(`${where} has no name`);
    if (!status) {
      problems.push(`${where} names no case status (kg:caseStatus, one of ${CASE_STATUSES.join(', ')})`);
      continue;
    }
    if (!(CASE_STATUSES as readonly string[]).includes(status)) {
      problems.push(`${where}: kg:caseStatus="${status.slice(0, 20)}" is not one of ${CASE_STATUSES.join(', ')}`);
      continue;
    }
    const step: ProcedureStep = { id: activity.id!, name: activity.name?.trim() ?? activity.id!, caseStatus: status as EsdhCaseStatus };
    const other = byStatus.get(status);
    if (other) problems.push(`${where} and step ${other.id} both stand for ${status}: the case system stores only the status, so each status is one step's`);
    byStatus.set(status, step);
    steps.push(step);
  }
  if (steps.length === 0) problems.push('has no steps (BPMN tasks)');

  // Where each step leads: along sequence flows, through gateways and events, to the next activities.
  const stepById = new Map(steps.map((s) => [s.id, s]));
  const outgoing = new Map<string, ModdleElement[]>();
  for (const flow of elements.filter((e) => e.$type === 'bpmn:SequenceFlow')) {
    if (!flow.sourceRef?.id || !flow.targetRef?.id) continue; // bpmn-moddle warned of the unresolved reference
    outgoing.set(flow.sourceRef.id, [...(outgoing.get(flow.sourceRef.id) ?? []), flow.targetRef]);
  }
  const reached = (from: string): ProcedureStep[] => {
    const found = new Map<string, ProcedureStep>();
    const seen = new Set<string>([from]);
    const queue = [...(outgoing.get(from) ?? [])];
    while (queue.length > 0) {
      const element = queue.shift()!;
      if (!element.id || seen.has(element.id)) continue;
      seen.add(element.id);
      const step = stepById.get(element.id);
      if (step) found.set(step.id, step);
      else if (!isActivity(element)) queue.push(...(outgoing.get(element.id) ?? []));
    }
    return [...found.values()];
  };
  const starts = elements.filter((e) => e.$type === 'bpmn:StartEvent');
  const firsts = new Map(starts.flatMap((s) => reached(s.id!)).map((s) => [s.id, s]));
  if (starts.length === 0) problems.push('has no start event');
  else if (firsts.size !== 1) problems.push(`its start leads to ${firsts.size} steps; a new case starts at one`);
  const first = [...firsts.values()][0];
  if (first && first.caseStatus !== 'Opstaaet') problems.push(`its first step ${first.id} stands for ${first.caseStatus}; a new case is Opstaaet`);
  const next = new Map(steps.map((s) => [s.id, reached(s.id)]));
  const reachable = new Set<string>(first ? [first.id] : []);
  for (const queue = first ? [first] : []; queue.length > 0; ) {
    for (const s of next.get(queue.shift()!.id) ?? []) if (!reachable.has(s.id)) reachable.add(s.id), queue.push(s);
  }
  for (const s of steps) if (first && !reachable.has(s.id)) problems.push(`step ${s.id} cannot be reached from the start`);

  if (problems.length > 0 || !first || !kle) throw new ProcedureInvalid(source, problems);
  return {
    id: process.id ?? source,
    name: process.name?.trim() || (process.id ?? source),
    kle,
    source,
    steps,
    first,
    next,
    stepAt: (status) => (status ? byStatus.get(status) : undefined),
  };
}

/**
 * The procedure a case of KLE subject `subject` (32.30.04) follows: the one for the subject, else
 * for its group (32.30), else for its main group (32).
 */
export function procedureFor(procedures: ReadonlyMap<string, Procedure>, subject: string | null | undefined): Procedure | undefined {
  if (!subject) return undefined;
  const parts = subject.split('.');
  for (let n = parts.length; n > 0; n--) {
    const found = procedures.get(parts.slice(0, n).join('.'));
    if (found) return found;
  }
  return undefined;
}

/**
 * The statuses a case under `procedure` may move to from `status`: those of the steps that follow
 * its step. A case whose status is no step of the procedure (it predates it) may be brought to any
 * step.
 */
export function allowedMoves(procedure: Procedure, status: string | null | undefined): readonly ProcedureStep[] {
  const at = procedure.stepAt(status ?? 'Opstaaet');
  return at ? (procedure.next.get(at.id) ?? []) : procedure.steps;
}
