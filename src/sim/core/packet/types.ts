// Packets and frames as the walk carries them: only the fields the lessons need (addresses, TTL,
// DF, length, ICMP type, UDP ports, what is encapsulated inside).

export type IcmpKind = 'echo-request' | 'echo-reply' | 'time-exceeded' | 'dest-unreach';

/** ICMP destination-unreachable codes as Linux sends them. */
export const UNREACH = { net: 0, host: 1, proto: 2, port: 3, fragNeeded: 4 } as const;

export interface Icmp {
  kind: IcmpKind;
  code?: number;
  id?: number;
  seq?: number;
  /** Frag needed: the next hop's MTU. */
  mtu?: number;
  /** ICMP errors quote the packet they are about. */
  orig?: IpPacket;
}

export interface Udp {
  sport: number;
  dport: number;
  /** A VXLAN datagram carries an Ethernet frame. */
  vxlan?: { vni: number; inner: Frame };
}

/** TCP as the probes need it: a connection's handshake (SYN, SYN-ACK, RST), no data or sequence numbers. */
export interface Tcp {
  sport: number;
  dport: number;
  /** tcpdump's letters: S (SYN), S. (SYN-ACK), R. (RST-ACK), . (ACK). */
  flags: 'S' | 'S.' | 'R.' | '.';
}

export interface IpPacket {
  src: string;
  dst: string;
  ttl: number;
  df: boolean;
  /** Total IP length (header included), in bytes. */
  len: number;
  proto: 'icmp' | 'udp' | 'ipip' | 'tcp';
  icmp?: Icmp;
  udp?: Udp;
  tcp?: Tcp;
  /** IP-in-IP: the inner packet. */
  inner?: IpPacket;
  /** Travels as fragments of at most this many bytes (it was larger than an MTU and DF was clear). */
  fragSize?: number;
  /** Set on one fragment when a capture prints them (the rest show as ip-proto-N). */
  fragment?: 'first' | 'more';
}

export interface Arp {
  op: 'request' | 'reply';
  senderIp: string;
  senderMac: string;
  targetIp: string;
  targetMac?: string;
}

export interface Frame {
  srcMac: string;
  dstMac: string;
  ip?: IpPacket;
  arp?: Arp;
}

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const PROTO_NUM = { icmp: 1, udp: 17, ipip: 4, tcp: 6 } as const;

/** Bytes an encapsulation adds to the packet on the underlay. */
export const VXLAN_OVERHEAD = 50;
export const IPIP_OVERHEAD = 20;

export const frameLen = (f: Frame) => (f.arp ? 42 : (f.ip?.len ?? 0) + 14);
