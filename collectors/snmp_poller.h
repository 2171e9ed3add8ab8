/*
 * What the trap listener (snmptrap.c) may ask of the router poller
 * (snmp.c): poll the routers at an address again now, rather than trust a
 * trap alone.  Polls so asked of one router are at least a second apart, so
 * a storm of traps is a poll, not a storm of polls.
 */
#ifndef FOREWARN_SNMP_POLLER_H
#define FOREWARN_SNMP_POLLER_H

/* The number of routers polled at ip (numeric, as getnameinfo gives it). */
int	snmp_poller_kick(const char *ip);

#endif
