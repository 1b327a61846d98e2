/**
 * What a process (and the processes it started) costs, read from Linux's /proc:
 * CPU time from /proc/PID/stat (utime + stime, in clock ticks), resident memory from
 * /proc/PID/status (VmRSS now, VmHWM the peak), and the peak reset by writing 5 to
 * /proc/PID/clear_refs (proc(5)), so each workload's peak is its own.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux almost everywhere). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A process's children, from /proc/PID/task/TID/children (Linux 3.5+), or undefined where absent. */
function childrenOf(pid: number): number[] | undefined {
  try {
    const found: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) found.push(...text.split(' ').map(Number));
    }
    return found;
  } catch {
    return undefined;
  }
}

/** The pid and every descendant still running. */
export function processTree(pid: number): number[] {
  const direct = childrenOf(pid);
  if (direct) {
    const tree = [pid];
    for (let i = 0; i < tree.length; i++) tree.push(...(i === 0 ? direct : (childrenOf(tree[i]!) ?? [])));
    return tree;
  }
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const parent = Number(fields[1]); // field 4, ppid
    const list = children.get(parent);
    if (list) list.push(Number(entry));
    else children.set(parent, [Number(entry)]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // fields 14 and 15, utime and stime
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resets the process's peak resident memory to what it holds now; false when Linux refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export const rssMb = (pid: number): number => statusKb(pid, 'VmRSS') / 1024;
export const peakRssMb = (pid: number): number => statusKb(pid, 'VmHWM') / 1024;

/**
 * Follows a process tree over a workload: CPU seconds used in the window, and the peak RSS (the
 * larger of each process's own peak, summed, and the largest sum polled every `pollMs`).
 */
export function watchProcessTree(root: number, pollMs = 200) {
  const tree = processTree(root);
  for (const pid of tree) resetPeakRss(pid);
  const cpuAtStart = new Map(tree.map((pid) => [pid, cpuSeconds(pid)]));
  let polledPeakMb = tree.reduce((sum, pid) => sum + rssMb(pid), 0);
  const timer = setInterval(() => {
    const now = processTree(root);
    for (const pid of now) if (!cpuAtStart.has(pid)) cpuAtStart.set(pid, 0); // started during the window
    polledPeakMb = Math.max(polledPeakMb, now.reduce((sum, pid) => sum + rssMb(pid), 0));
  }, pollMs);
  return {
    stop(): { cpuSeconds: number; peakRssMb: number; processes: number } {
      clearInterval(timer);
      const now = processTree(root);
      const cpu = [...cpuAtStart].reduce((sum, [pid, start]) => sum + Math.max(0, cpuSeconds(pid) - start), 0);
      const ownPeaks = now.reduce((sum, pid) => sum + peakRssMb(pid), 0);
      return { cpuSeconds: cpu, peakRssMb: Math.max(ownPeaks, polledPeakMb), processes: now.length };
    },
  };
}
