// NetworkPolicy, pod label and policy file errors: thrown by code that runs on the node (no message
// catalogue there), said by the CLI and the site in the reader's language. Each one names the field
// in English as before and in Chinese, and every message the node code can throw is seen here.
import { afterEach, describe, expect, it } from 'vitest';
import { cliErr, setCliLang } from '../../src/cli/lang.ts';
import { t, type Msg } from '../../src/i18n/index.ts';
import { english, errorText } from '../../src/i18n/text.ts';
import { checkLabels, parseLabelArgs } from '../../src/node/policy/labels.ts';
import { parsePolicy } from '../../src/node/policy/model.ts';
import { parsePolicyFile } from '../../src/node/policy/policyFile.ts';
import { englishOf, InputError, POLICY_TEXTS, policyText, type PolicyText } from '../../src/node/policy/texts.ts';
import { thrownBy } from '../helpers/thrown.ts';

afterEach(() => void setCliLang('en', {}));

const CJK = /[\u4e00-\u9fff]/;
const base = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } };
const withSpec = (spec: unknown) => () => parsePolicy({ ...base, spec });
const rule = (r: unknown) => withSpec({ podSelector: {}, ingress: [r] });
const thrown = (f: () => unknown) => thrownBy(f, InputError);
/** Every message id in a text, nested ones too. */
const idsOf = (x: PolicyText): string[] => [x.id, ...Object.values(x.params ?? {}).flatMap((v) => (typeof v === 'object' ? idsOf(v) : []))];

/** Bad input → the English message and a piece of its Chinese (which names the same field). */
const CASES: [() => unknown, string, string][] = [
  [() => parsePolicy('x'), 'NetworkPolicy is not a map', 'NetworkPolicy 不是一个映射'],
  [() => parsePolicy({ ...base, apiVersion: 'v1' }), 'NetworkPolicy: apiVersion must be networking.k8s.io/v1, got "v1"', 'apiVersion 必须是 networking.k8s.io/v1，实际是 "v1"'],
  [() => parsePolicy({ ...base, kind: 'Policy' }, policyText('err.policy.document', { n: 2 })), 'document 2: kind must be NetworkPolicy, got "Policy"', '第 2 个文档：kind 必须是 NetworkPolicy，实际是 "Policy"'],
  [() => parsePolicy({ ...base, status: {} }), 'NetworkPolicy "p": status is not supported: SimpleCNI enforces spec.podSelector.matchLabels', '不支持 status：SimpleCNI 只实现'],
  [() => parsePolicy({ apiVersion: base.apiVersion, kind: base.kind }), 'NetworkPolicy: metadata.name is missing', '缺少 metadata.name'],
  [() => parsePolicy({ ...base, metadata: { name: 'P' } }), 'NetworkPolicy: metadata.name must be a DNS name (lowercase letters, digits, "-" and "."), got "P"', 'metadata.name 必须是 DNS 名字'],
  [() => parsePolicy({ ...base, metadata: { name: 'p', namespace: 'prod' }, spec: { podSelector: {} } }), 'NetworkPolicy "p": metadata.namespace "prod" is not supported: every SimpleCNI pod is in namespace "default"', '不支持 metadata.namespace "prod"'],
  [() => parsePolicy(base), 'NetworkPolicy "p": spec is missing', 'NetworkPolicy "p"：缺少 spec'],
  [withSpec({}), 'NetworkPolicy "p": spec.podSelector is required ({} selects every pod)', '必须写 spec.podSelector'],
  [withSpec({ podSelector: {}, egress: [] }), 'NetworkPolicy "p": spec.egress is not supported: SimpleCNI enforces spec.podSelector.matchLabels, policyTypes [Ingress], ingress[].from[] (podSelector.matchLabels or ipBlock) and ingress[].ports[] (protocol TCP or UDP, a numeric port)', 'NetworkPolicy "p"：不支持 spec.egress：SimpleCNI 只实现 spec.podSelector.matchLabels、policyTypes [Ingress]'],
  [withSpec({ podSelector: {}, policyTypes: ['Egress'] }), 'NetworkPolicy "p": spec.policyTypes[0] Egress is not supported: SimpleCNI enforces ingress only', '不支持 spec.policyTypes[0] Egress：SimpleCNI 只管入站（Ingress）流量'],
  [withSpec({ podSelector: {}, policyTypes: ['Both'] }), 'NetworkPolicy "p": spec.policyTypes[0] must be Ingress, got "Both"', 'spec.policyTypes[0] 必须是 Ingress'],
  [withSpec({ podSelector: {}, ingress: {} }), 'NetworkPolicy "p": spec.ingress must be a list', 'spec.ingress 必须是一个列表'],
  [withSpec({ podSelector: {}, ingress: ['x'] }), 'NetworkPolicy "p": spec.ingress[0] must be a map (from, ports)', 'spec.ingress[0] 必须是一个映射（from、ports）'],
  [withSpec({ podSelector: 'app=web' }), 'NetworkPolicy "p": spec.podSelector must be a map (for example {matchLabels: {app: web}})', 'spec.podSelector 必须是一个映射（例如 {matchLabels: {app: web}}）'],
  [withSpec({ podSelector: { matchLabels: ['app'] } }), 'NetworkPolicy "p": spec.podSelector.matchLabels must be a map of label keys to values', 'spec.podSelector.matchLabels 必须是标签键到值的映射'],
  [withSpec({ podSelector: { matchLabels: { app: 1 } } }), 'NetworkPolicy "p": spec.podSelector.matchLabels.app: a label value is a string, got 1', 'spec.podSelector.matchLabels.app：标签的值是字符串，实际是 1'],
  [withSpec({ podSelector: { matchLabels: { 'Ex.com/app': 'web' } } }), 'NetworkPolicy "p": spec.podSelector.matchLabels: label "Ex.com/app": the prefix "Ex.com" is not a DNS subdomain', '标签“Ex.com/app”：前缀“Ex.com”不是 DNS 子域名'],
  [rule({ from: ['x'] }), 'NetworkPolicy "p": spec.ingress[0].from[0] must be a map with podSelector or ipBlock', 'spec.ingress[0].from[0] 必须是一个映射，里面写 podSelector 或 ipBlock'],
  [rule({ from: [{ namespaceSelector: {} }] }), 'NetworkPolicy "p": spec.ingress[0].from[0].namespaceSelector is not supported', '不支持 spec.ingress[0].from[0].namespaceSelector：SimpleCNI 只实现'],
  [rule({ from: [{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }), 'spec.ingress[0].from[0]: give podSelector or ipBlock, not both', 'spec.ingress[0].from[0]：podSelector 和 ipBlock 只能写一个'],
  [rule({ from: [{}] }), 'NetworkPolicy "p": spec.ingress[0].from[0] needs podSelector or ipBlock', 'spec.ingress[0].from[0] 需要 podSelector 或 ipBlock'],
  [rule({ from: [{ ipBlock: '10.0.0.0/8' }] }), 'spec.ingress[0].from[0].ipBlock must be a map with cidr (and except)', 'spec.ingress[0].from[0].ipBlock 必须是一个映射，里面写 cidr'],
  [rule({ from: [{ ipBlock: { cidr: 'fd00::/8' } }] }), 'spec.ingress[0].from[0].ipBlock.cidr: "fd00::/8" is not an IPv4 CIDR such as 10.244.0.0/16 (IPv6 is not supported)', 'spec.ingress[0].from[0].ipBlock.cidr："fd00::/8" 不是 IPv4 CIDR，应当形如 10.244.0.0/16（不支持 IPv6）'],
  [rule({ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: '10.1.0.0/16' } }] }), 'spec.ingress[0].from[0].ipBlock.except must be a list of CIDRs', 'spec.ingress[0].from[0].ipBlock.except 必须是 CIDR 的列表'],
  [rule({ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }), 'spec.ingress[0].from[0].ipBlock.except[0]: 11.0.0.0/8 is not inside 10.0.0.0/8', 'spec.ingress[0].from[0].ipBlock.except[0]：11.0.0.0/8 不在 10.0.0.0/8 之内'],
  [rule({ ports: [6379] }), 'NetworkPolicy "p": spec.ingress[0].ports[0] must be a map with protocol and port', 'spec.ingress[0].ports[0] 必须是一个映射，里面写 protocol 和 port'],
  [rule({ ports: [{ protocol: 'SCTP' }] }), 'spec.ingress[0].ports[0].protocol: "SCTP" is not supported (TCP or UDP)', 'spec.ingress[0].ports[0].protocol：不支持 "SCTP"（只支持 TCP 或 UDP）'],
  [rule({ ports: [{ port: 'http' }] }), 'spec.ingress[0].ports[0].port: named ports such as "http" are not supported: give the number', 'spec.ingress[0].ports[0].port：不支持 "http" 这样的命名端口，请直接写端口号'],
  [rule({ ports: [{ port: 70000 }] }), 'spec.ingress[0].ports[0].port must be a number from 1 to 65535, got 70000', 'spec.ingress[0].ports[0].port 必须是 1 到 65535 之间的数字，实际是 70000'],
  [() => parseLabelArgs(['app']), 'label "app" is not key=value (for example app=web)', '标签“app”不是 key=value 的形式（例如 app=web）'],
  [() => parseLabelArgs(['-app=web']), 'label "-app=web": "-app" must be 1-63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit', '标签“-app=web”：“-app”必须是 1 到 63 个字母、数字'],
  [() => parseLabelArgs(['app=-x']), 'label "app=-x": the value "-x" must be at most 63 letters', '标签“app=-x”：值“-x”最多 63 个字母'],
  [() => parseLabelArgs(['app=web', 'app=db']), 'label "app" is given twice with different values', '标签“app”给了两次，值却不一样'],
  [() => checkLabels('app=web', 'pods[0].labels'), 'pods[0].labels must be a map of label keys to values', 'pods[0].labels 必须是标签键到值的映射'],
  [() => parsePolicyFile('{', 'node1:/etc/p.json'), 'invalid policy file "node1:/etc/p.json": not valid JSON (', '策略文件“node1:/etc/p.json”无效：不是合法的 JSON（'],
  [() => parsePolicyFile('{"policies": []}', 'f'), 'invalid policy file "f": it needs "policies" and "pods" lists', '它需要 "policies" 和 "pods" 两个列表'],
  [() => parsePolicyFile(JSON.stringify({ policies: [{ ...base, spec: { podSelector: {} } }, { ...base, spec: { podSelector: {} } }], pods: [] }), 'f'), 'invalid policy file "f": policy "p" is listed twice', '策略“p”出现了两次'],
  [() => parsePolicyFile(JSON.stringify({ policies: [{ ...base, kind: 'X' }], pods: [] }), 'f'), 'invalid policy file "f": policies[0]: kind must be NetworkPolicy, got "X"', '策略文件“f”无效：policies[0]：kind 必须是 NetworkPolicy'],
  [() => parsePolicyFile(JSON.stringify({ policies: [], pods: [{ node: 'node1' }] }), 'f'), 'invalid policy file "f": pods[0] needs "node" and "name"', 'pods[0] 需要 "node" 和 "name"'],
  [() => parsePolicyFile(JSON.stringify({ policies: [], pods: [{ node: 'node1', name: 'web', ip: 'x' }] }), 'f'), 'invalid policy file "f": pods[0] (node1/web): "ip" "x" is not an IPv4 address', 'pods[0]（node1/web）："ip" "x" 不是 IPv4 地址'],
  [() => parsePolicyFile(JSON.stringify({ policies: [], pods: [{ node: 'node1', name: 'web', ip: '10.244.1.2', labels: { app: 2 } }] }), 'f'), 'invalid policy file "f": pods[0].labels.app: a label value is a string, got 2', '策略文件“f”无效：pods[0].labels.app：标签的值是字符串'],
];

describe('NetworkPolicy, label and policy file errors', () => {
  it('keep their English message and say it in Chinese, naming the same field', () => {
    for (const [f, en, zh] of CASES) {
      const err = thrown(f);
      expect(err.message, en).toContain(en);
      expect(english(errorText(err)), en).toBe(err.message); // the catalogue's English is the node's
      const chinese = t('zh-CN', errorText(err));
      expect(chinese, en).toContain(zh);
      expect(chinese, en).toMatch(CJK);
      expect(chinese, en).not.toMatch(/\{\w+\}/);
    }
  });

  it('every message the node code can throw is among them', () => {
    const seen = new Set(CASES.flatMap(([f]) => idsOf(thrown(f).text)));
    expect(Object.keys(POLICY_TEXTS).filter((id) => !seen.has(id))).toEqual([]);
  });

  it('the CLI prints them in its language', () => {
    const err = thrown(() => parseLabelArgs(['app']));
    setCliLang('zh-CN', {});
    expect(cliErr(err)).toBe('标签“app”不是 key=value 的形式（例如 app=web）');
    setCliLang('en', {});
    expect(cliErr(err)).toBe('label "app" is not key=value (for example app=web)');
  });

  it('the node side renders its English without the catalogue, nested messages too', () => {
    const text: PolicyText = policyText('err.label.badArg', { arg: 'a=-', problem: policyText('err.label.value', { value: '-' }) });
    expect(englishOf(text)).toBe(t('en', text as Msg));
    expect(englishOf(policyText('err.policy.notList'))).toBe('{field} must be a list'); // a missing parameter stays visible
  });
});
