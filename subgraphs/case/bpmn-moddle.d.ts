// bpmn-moddle 10 ships types for the BPMN model only (bpmn-moddle/types), not for its parser class:
// this is the part of it the procedure reader calls.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    fromXML(xml: string): Promise<{ rootElement: unknown; warnings: { message: string }[] }>;
  }
}
