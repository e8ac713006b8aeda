// What the NetworkPolicy model and the label parser tell a person about bad input, as data: a
// stable message id and its parameters. The node agent prints the English below; the CLI and the
// site say the same in the reader's language through the kit's message catalogue (src/i18n), which
// takes these English texts as its own, so each id is translated there. Nothing here imports the
// catalogue: this directory runs on the node and is copied into the student's workspace as it is.

export const POLICY_TEXTS = {
  'err.policy.subset':
    'SimpleCNI enforces spec.podSelector.matchLabels, policyTypes [Ingress], ingress[].from[] (podSelector.matchLabels or ipBlock) and ingress[].ports[] (protocol TCP or UDP, a numeric port)',
  'err.policy.document': 'document {n}',
  'err.policy.in': '{at}: {error}',
  'err.policy.notMap': '{at} is not a map',
  'err.policy.apiVersion': 'apiVersion must be networking.k8s.io/v1, got {value}',
  'err.policy.kind': 'kind must be NetworkPolicy, got {value}',
  'err.policy.noName': 'metadata.name is missing',
  'err.policy.badName': 'metadata.name must be a DNS name (lowercase letters, digits, "-" and "."), got {value}',
  'err.policy.namespace': 'metadata.namespace {value} is not supported: every SimpleCNI pod is in namespace "default"',
  'err.policy.noSpec': 'spec is missing',
  'err.policy.noPodSelector': 'spec.podSelector is required ({} selects every pod)',
  'err.policy.unknownField': '{field} is not supported: {subset}',
  'err.policy.egress': '{field} Egress is not supported: SimpleCNI enforces ingress only',
  'err.policy.policyType': '{field} must be Ingress, got {value}',
  'err.policy.notList': '{field} must be a list',
  'err.policy.ruleNotMap': '{field} must be a map (from, ports)',
  'err.policy.selectorNotMap': '{field} must be a map (for example {matchLabels: {app: web}})',
  'err.policy.peerNotMap': '{field} must be a map with podSelector or ipBlock',
  'err.policy.peerBoth': '{field}: give podSelector or ipBlock, not both (Kubernetes refuses ipBlock beside a selector)',
  'err.policy.peerNeither': '{field} needs podSelector or ipBlock',
  'err.policy.ipBlockNotMap': '{field} must be a map with cidr (and except)',
  'err.policy.notCidr': '{field}: {value} is not an IPv4 CIDR such as 10.244.0.0/16 (IPv6 is not supported)',
  'err.policy.exceptNotList': '{field} must be a list of CIDRs',
  'err.policy.exceptOutside': '{field}: {value} is not inside {cidr}',
  'err.policy.portNotMap': '{field} must be a map with protocol and port',
  'err.policy.protocol': '{field}: {value} is not supported (TCP or UDP)',
  'err.policy.namedPort': '{field}: named ports such as {value} are not supported: give the number',
  'err.policy.portRange': '{field} must be a number from 1 to 65535, got {value}',

  'err.policyFile.invalid': 'invalid policy file "{file}": {error}',
  'err.policyFile.notJson': 'not valid JSON ({error})',
  'err.policyFile.lists': 'it needs "policies" and "pods" lists',
  'err.policyFile.twice': 'policy "{name}" is listed twice',
  'err.policyFile.podNames': '{field} needs "node" and "name"',
  'err.policyFile.podIp': '{field} ({pod}): "ip" {value} is not an IPv4 address',

  'err.label.notMap': '{field} must be a map of label keys to values',
  'err.label.notString': '{field}: a label value is a string, got {value}',
  'err.label.bad': '{field}: label "{key}": {problem}',
  'err.label.prefix': 'the prefix "{prefix}" is not a DNS subdomain (lowercase letters, digits, "-" and ".")',
  'err.label.name': '"{name}" must be 1-63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit',
  'err.label.value': 'the value "{value}" must be at most 63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit',
  'err.label.notKeyValue': 'label "{arg}" is not key=value (for example app=web)',
  'err.label.badArg': 'label "{arg}": {problem}',
  'err.label.twice': 'label "{key}" is given twice with different values',
} as const;

export type PolicyTextId = keyof typeof POLICY_TEXTS;

/** A message by id with its parameters (the catalogue's Msg, in a shape this directory can own). */
export interface PolicyText {
  id: PolicyTextId;
  params?: Record<string, string | number | PolicyText>;
}

export const policyText = (id: PolicyTextId, params?: PolicyText['params']): PolicyText => (params ? { id, params } : { id });

/** The text in English; unknown `{names}` stay visible, as in the catalogue's rendering. */
export function englishOf(text: PolicyText): string {
  const params = text.params ?? {};
  return POLICY_TEXTS[text.id].replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const v = params[name]!;
    return typeof v === 'object' ? englishOf(v) : String(v);
  });
}

/**
 * Bad input, said to a person: `message` is the English (the node agent prints it, tests match it);
 * `text` is the same as data, which the CLI and the site say in their language.
 */
export class InputError extends Error {
  constructor(readonly text: PolicyText) {
    super(englishOf(text));
  }
}
