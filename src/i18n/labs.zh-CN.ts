// labs/labs.yaml 的中文：每个实验的标题、目标、检查项标题和提示。键是实验 id 与检查项 id（永不改变）；
// 目标和提示与英文按顺序一一对应。test/unit/i18n.test.ts 拿它和 labs.yaml 逐项对照，缺一项就失败。
export interface LabTextZh {
  title: string;
  objectives: string[];
  checks: Record<string, string>;
  hints: string[];
}

export const labsZhCN: Record<string, LabTextZh> = {
  '00': {
    title: '准备与导览',
    objectives: ['启动实验集群，熟悉它的各个节点', '知道每个节点把 CNI 文件放在哪里'],
    checks: {
      'cluster-up': '拓扑中的每个节点都存在',
      underlay: 'node1 能直接到达 node2，并经过路由器到达 node3',
      'plugin-installed': '每个工作节点都能用已安装的插件回答 CNI VERSION',
    },
    hints: [
      '`cnilab cluster status` 会告诉你哪个节点缺失或无法访问。',
      '如果缺了节点，先 `cnilab cluster down` 再 `cnilab cluster up`，一切都会重建。',
    ],
  },
  '01': {
    title: '手工搭建命名空间、veth 和网桥',
    objectives: ['手工搭出 CNI 插件要自动完成的东西：两个由网桥连起来的网络命名空间', '看清是哪些内核对象让一个 Pod 变得可达'],
    checks: {
      'byhand-bridge': 'node1 上有网桥 lab1br，处于 up 状态，地址为 172.16.1.1/24',
      'byhand-pods': '命名空间 lab1-a 和 lab1-b 各有一个 up 的 eth0，地址分别为 172.16.1.2/24 和 172.16.1.3/24',
      'byhand-wired': '每个命名空间的 eth0 都是 veth，它的另一端是 lab1br 的端口',
      'byhand-ping': 'lab1-a 能 ping 通 lab1-b 和网桥地址',
    },
    hints: [
      'veth 对就是一根有两个头的网线。一头放进命名空间（`ip link set … netns …`），另一头留在 node1 上。',
      '每根网线在 node1 上的那一头都必须插到网桥上：看看 `ip link show master lab1br`。',
      '接口两端都要 up；而且每个命名空间都有自己的本地回路接口和自己的路由。',
    ],
  },
  '02': {
    title: 'CNI 契约',
    objectives: ['弄清运行时交给插件什么（CNI_* 环境变量、stdin 上的配置），又期待插件返回什么', '让插件能回答 VERSION，并按运行时能解析的方式报告错误'],
    checks: {
      'contract-version': 'VERSION 列出支持的版本，并回显配置里的版本',
      'contract-errors-stdout': '错误以 {cniVersion, code, msg, details} 的形式打印在 stdout，退出码非零',
      'contract-env': '缺少 CNI_* 环境变量时返回错误码 4，消息里写明缺的是哪个',
      'contract-decode': '配置不是 JSON 时返回错误码 6；版本不受支持时返回错误码 1',
    },
    hints: [
      '手工运行插件：`cnilab cni VERSION --node node1 --show` 会原样打印它收到的内容。',
      'stdout 属于运行时：运行时会把它当 JSON 解析。给人看的东西都写到 stderr。',
      'libcni 从 stdout 读取错误对象，只有 stdout 为空时才去看 stderr。',
    ],
  },
  '03': {
    title: '基于静态文件的 IPAM',
    objectives: ['读取节点的 IPAM 文件（种子项目的格式和 CIDR 格式）', '分配出去的地址绝不是网络地址、网关地址或广播地址', '让许多 ADD 同时运行时分配依然安全，并在 DEL 时归还地址'],
    checks: {
      'ipam-reserved': 'simplecni-ipam 从不租出网络地址、网关地址或广播地址，子网用完时会明确说出来',
      'ipam-concurrent': '同时执行 12 次 ADD，拿到 12 个不同的地址',
      'ipam-release': 'DEL 会归还地址',
      'ipam-file-errors': 'IPAM 文件损坏时报错，并写明是哪个文件',
    },
    hints: [
      '从种子项目的计数器开始，同时跑 20 次 ADD，数一数有多少重复。为什么“读取—加一—写回”会产生竞争？',
      '文件系统有哪种操作是原子的，并且在别人抢先做过时会失败？',
      '每个地址一份租约（以地址命名的文件），DEL 和 GC 才有可能实现：租约记录了地址归谁所有。',
    ],
  },
  '04': {
    title: '网桥与 veth：你的第一个 Pod',
    objectives: ['让 ADD 在 Pod 的命名空间里搭出你在实验 01 中手工搭的东西', '返回一个运行时可以缓存的结果'],
    checks: {
      'pod-bridge': 'node1 的网桥 simplecni0 处于 up 状态，网关地址为 10.244.1.1/24',
      'pod-wired': 'node1 上的 Pod web 有一个 up 的 eth0，带着自己的地址，并接到了网桥上',
      'pod-route': 'Pod web 有一条经由网关的默认路由',
      'pod-forward': 'node1 会转发数据包（net.ipv4.ip_forward = 1）',
      'pod-result': '缓存的 ADD 结果依次列出网桥、主机端 veth 和 eth0，且 ips[].interface = 2',
      'pod-ping': 'Pod web 能 ping 通它的网关',
    },
    hints: [
      '`cnilab pod add node1 web` 会运行你的 ADD；`cnilab cni ADD … --env SIMPLECNI_DEBUG=1` 会显示每一条命令。',
      '创建 veth 时直接把 Pod 那一端放进 CNI_NETNS：`ip link add … peer name eth0 netns <path>`。',
      '在 Pod 里，你不说 up 就什么都不会 up，本地回路也一样；没有默认路由，Pod 只能到达自己的子网。',
    ],
  },
  '05': {
    title: 'DEL、CHECK、GC：不留痕迹',
    objectives: ['让 DEL 幂等，并且在命名空间已经消失时依然安全', '让 CHECK 说出哪里发生了偏离，让 GC 释放无人拥有的东西'],
    checks: {
      'del-idempotent': '连续两次 DEL，以及不带 CNI_NETNS 的 DEL，都成功并释放地址',
      'check-drift': 'CHECK 在健康的 Pod 上通过，在被破坏的 Pod 上指出哪里偏离了',
      'gc-stale': 'GC 释放不在 cni.dev/valid-attachments 里的租约',
      'no-leaks': '在每个节点上：每份租约都有它的 Pod，每个 Pod 的 veth 都有它的租约',
    },
    hints: [
      '运行时可能多次调用 DEL，也可能在 Pod 的命名空间消失之后才调用：“已经不在了”就算成功。',
      '不进入 Pod 的命名空间，DEL 怎样找到节点一侧的 veth？',
      'CHECK 拿现实和 prevResult 比较；GC 拿你的租约和运行时仍然知道的列表比较。',
    ],
  },
  '06': {
    title: '跨节点路由（host-gw）',
    objectives: ['通过底层网络在节点之间路由 Pod 子网，不用 NAT，也不用隧道', '理解为什么 host-gw 要求节点在同一个二层网段'],
    checks: {
      'hostgw-routes': 'node1 和 node2 互相把对方的 Pod 子网路由到对方的底层地址',
      'hostgw-ping': 'node1 上的 Pod 能 ping 通 node2 上的 Pod，且 node2 的 Pod 看到的是 node1 那个 Pod 的地址',
      'hostgw-node3': '在 host-gw 模式下 node3 的 Pod 不可达，也没有哪条路由假装可达',
    },
    hints: [
      '`cnilab cluster mode host-gw` 会在每个节点上运行 simplecni-node；加上 `--dry-run` 可以看到它要加的路由。',
      '经由下一跳的路由，只有在下一跳位于直连网络上时才能工作。',
      '问问路由器：它知道 10.244.3.0/24 吗？对于没有路由的包，它会怎么处理？',
    ],
  },
  '07': {
    title: '跨越路由器：IP-in-IP',
    objectives: ['把 Pod 的包封装进一层节点到节点的 IP 头，让路由器只看到节点地址', '为 IP-in-IP 多出的 20 字节设置 Pod 的 MTU'],
    checks: {
      'ipip-device': '每个节点都有 up 的 tunl0，MTU 为 1480',
      'ipip-routes': '到其他节点 Pod 子网的路由经由对方的底层地址，dev tunl0 onlink',
      'ipip-ping': 'node1 和 node3 上的 Pod 能跨过路由器互相 ping 通',
    },
    hints: [
      '`onlink` 让内核信任一个不在直连网络上的下一跳：投递的事交给隧道。',
      'IP-in-IP 多加一个 20 字节的 IPv4 头：1500 字节的底层网络留给 Pod 的就是 1480。',
      '在底层网络上用 tcpdump 抓包，每个包都有两层 IP 头：外层是节点到节点，内层是 Pod 到 Pod。',
    ],
  },
  '08': {
    title: 'VXLAN',
    objectives: ['由你的节点代理来配置 flannel 式的 VXLAN 数据平面，不靠学习，也不要守护进程', '讲清每个对端的三条表项（邻居、fdb、路由）各起什么作用'],
    checks: {
      'vxlan-device': '每个节点都有 flannel.1：VNI 1，UDP 8472，nolearning，MTU 1450，地址为本节点子网的 .0/32',
      'vxlan-peers': '对每个对端：一条永久邻居表项，一条指向其底层地址的 fdb 表项，一条 onlink 路由',
      'vxlan-ping': '三个节点上的 Pod 彼此可达',
      'vxlan-mtu': '在 vxlan 模式下创建的 Pod，MTU 为 1450',
    },
    hints: [
      '每个包要回答三个问题：下一跳是谁（路由）、这个下一跳的 MAC 是什么（邻居）、哪个节点拥有这个 MAC（fdb）。',
      '对端的 VTEP MAC 由它的底层地址推导出来：不需要任何守护进程告诉你。',
      'VXLAN 多出 50 字节：外层 IPv4 20 + UDP 8 + VXLAN 8 + 内层以太网 14。',
    ],
  },
  '09': {
    title: '你的网络上跑真正的容器',
    objectives: ['让真正的容器运行时（containerd，通过 ctr）调用你的插件', '读懂运行时发来了什么，看看容器停止时会发生什么'],
    checks: {
      'ctr-lease': 'node1 上由 ctr 启动的容器持有你的插件分配的一份租约',
      'ctr-wired': '它的主机端 veth 接在网桥上，它的地址能从 node1 ping 通',
    },
    hints: [
      'ctr 读取 /etc/cni/net.d 里的第一个文件，并在 /opt/cni/bin 里查找插件。',
      'ctr 给 CNI 的容器名是“<namespace>-<id>”：在你的租约里找找它。',
      '`ctr run -d` 从不调用 DEL：容器没了以后，谁来释放地址？',
    ],
  },
  '10': {
    title: 'MTU 与开销',
    objectives: ['测量每种数据平面的开销，并理解为什么 Pod 的 MTU 必须跟着模式走'],
    checks: {
      'mtu-consistent': '每个 Pod 的 eth0 MTU 都与集群的模式相符',
      'mtu-probe': '设置了 DF 的满尺寸包能跨节点通过；再多一个字节就会被拒绝',
    },
    hints: [
      '`npm run bench` 会测量每种模式并画出图表；比较覆盖网络和底层网络。',
      '在别的模式下创建的 Pod 会保留原来的 MTU：重新创建它。',
      'ping -M do -s N 发送 N 字节的载荷，外加 28 字节的 ICMP 头和 IP 头。',
    ],
  },
  '11': {
    title: 'NetworkPolicy：从一条策略到一个被丢弃的包',
    objectives: [
      '掌握 Kubernetes 的规则：没有被任何策略选中的 Pod 接受一切流量；被选中的 Pod 只接受规则允许的流量',
      '像 Calico 的 Felix 用 ipset 那样，在每个节点上把 NetworkPolicy 渲染成带 Pod 地址集合的 nftables 规则',
      '看清回包为什么能通过（conntrack），以及同一网桥上的流量如何经过过滤器',
    ],
    checks: {
      'policy-ruleset': 'node1 的 table inet simplecni-policy：一条挂在 forward 钩子上、先放行回包的链，一个包含 db 的集合，以策略命名的规则',
      'policy-allowed': 'node2 上的 front（role=frontend）能连上 node1 上 db 的 TCP 6379 端口并收到应答',
      'policy-denied': 'db 拒绝 front 访问其他端口，也拒绝未打标签的 Pod：node2 上的，以及和 db 同在一个网桥上的',
      'policy-replies': 'db 自己发起的到 front 的连接能收到回包（conntrack）',
      'policy-open': 'node1 上的 web 没有被任何策略选中，仍然接受所有来访',
    },
    hints: [
      '`cnilab policy apply labs/11-network-policy/db-from-frontend.yaml --dry-run` 会打印每个节点的规则集，而不改变任何东西。',
      '发往某节点上 Pod 的每个包都要经过该节点转发：要么从别的节点路由进来，要么从同一网桥上的 Pod 桥接过来。',
      '一个没有规则放行的 Pod 发来的应答，仍然属于 db 自己打开的连接：conntrack 把它称为 established。',
    ],
  },
};
