/*
 * Decoding the RAID controller tools' outputs into one model: storcli /
 * storcli64 / perccli JSON (the " J" suffix: "/call show all J" and the
 * drive details of "/call/eall/sall show all J"), in both the storcli 007
 * layout and that of storcli2 / perccli2 (008), HPE ssacli (also
 * hpssacli, hpacucli) text ("ctrl all show status", "ctrl slot=N ld all
 * show", "ctrl slot=N pd all show", or all in one: "ctrl all show config
 * detail") and Adaptec/Microchip arcconf text
 * ("GETCONFIG N AL").  Pure functions over a buffer, so the unit tests and
 * the fuzzer feed them captured outputs.
 *
 * Each parser keeps the tool's own word for a state (for messages) and adds
 * its meaning in storcli's vocabulary (norm), which the checks judge:
 * virtual drives Optl, Pdgd, Dgrd, Rec, OfLn; drives Onln, Rbld, Failed,
 * UBad, UGood, GHS, DHS, JBOD.
 */
#ifndef HWRAID_PARSE_H
#define HWRAID_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HW_CTRL_MAX	16
#define HW_VD_MAX	64
#define HW_PD_MAX	256
#define HW_STR		64

enum hw_tool { HW_STORCLI, HW_SSACLI, HW_ARCCONF, HW_TOOLS };

struct hw_vd {
	int		dg, vd;		/* "DG/VD"; ssacli: array letter, LD */
	char		type[16];	/* "RAID1", "RAID6", "RAID10", ... */
	char		state[32];	/* as the tool says it */
	char		norm[8];	/* "Optl", "Dgrd", "Pdgd", "OfLn", "Rec" */
	char		note[64];	/* ssacli: "array B (Failed)" */
	char		cache[16];	/* "RWBD": the cache policy in force */
	char		name[HW_STR];
};

struct hw_pd {
	int		eid;		/* enclosure, -1 when none ("EID:Slt" " :1") */
	int		slot;
	int		did;
	int		dg;		/* drive group, -1 for none ("-") */
	uint64_t	vd_mask;	/* or: member of vds[i] for each bit i */
	char		state[32];	/* as the tool says it */
	char		norm[8];	/* "Onln", "Rbld", "UBad", "Failed", ... */
	char		slot_name[32];	/* ssacli "1I:1:2"; else "" */
	int		chan, dev;	/* arcconf "Reported Channel,Device"; -1 */
	char		intf[8], med[8];
	char		model[HW_STR];
	/* From the drive details, when they were read and matched. */
	bool		detailed;	/* predictive failure known (not "N/A") */
	bool		counters;	/* media error count known (not "N/A") */
	char		serial[HW_STR];
	char		wwn[32];
	char		firmware[32];
	uint64_t	media_errors, other_errors, predictive;
	bool		smart_alert;
	double		temp_c;		/* NAN when not said */
};

struct hw_ctrl {
	enum hw_tool	tool;		/* whose output it came from */
	int		index;		/* /cN; ssacli slot; arcconf number */
	char		slot[16];	/* ssacli: "0", "0b" */
	bool		ok;		/* its Command Status said Success */
	bool		pd_details;	/* the drives' details came with it */
	char		failure[128];	/* what it said otherwise */
	char		model[HW_STR];
	char		serial[HW_STR];
	char		firmware[HW_STR];
	char		status[32];	/* "Optimal", "Needs Attention", ... */
	uint64_t	mem_uncorrectable, mem_correctable;
	bool		has_mem;
	double		roc_temp_c;	/* NAN when not said */
	char		cache_kind[24];	/* "CacheVault", "BBU", "" (none) */
	char		cache_state[32];	/* "Optimal", "Learning", "Failed" */
	char		cache_status[32];	/* ssacli "Cache Status" */
	struct hw_vd	vds[HW_VD_MAX];
	size_t		n_vds;
	struct hw_pd	pds[HW_PD_MAX];
	size_t		n_pds;
};

struct hw_report {
	struct hw_ctrl	ctrls[HW_CTRL_MAX];
	size_t		n_ctrls;
	char		none[128];	/* the tool's words for "no controller" */
};

/*
 * Every parser appends its controllers to out (clear n_ctrls to start).
 * "/call show all J" into out.  0, or -EINVAL with err
 * naming what and where ("Controllers[0].Response Data.VD LIST[1].State:
 * not a string"); a controller whose own Command Status failed is kept
 * with ok false and its description.  "No Controller found" is no
 * controller, and its words are kept in out->none.  The drives of an HBA's
 * "Physical Device Information" come with their details (pd_details).
 */
int	storcli_parse_show(const char *json, size_t len, struct hw_report *out,
	    char *err, size_t err_size);
/*
 * "/call/eall/sall show all J": the details of each drive, matched to the
 * drives of out by controller, enclosure and slot ("Drive /c0/e252/s1 -
 * Detailed Information", or storcli2's "Drives List").  A count the
 * controller gives as "N/A" stays unknown.  0 or -EINVAL as above.
 */
int	storcli_parse_drives(const char *json, size_t len,
	    struct hw_report *out, char *err, size_t err_size);

/*
 * ssacli "ctrl all show status" into out: one controller
 * per "... in Slot N" header.  "Error: No controllers detected." is no
 * controller.  Lines it does not know are skipped.  0, or -EINVAL with err
 * ("line 3: ...") when nothing in it is ssacli's.
 */
int	ssacli_parse_status(const char *text, size_t len,
	    struct hw_report *out, char *err, size_t err_size);
/*
 * "ctrl all show config detail" into out: each controller with its status,
 * cache, battery and temperature, its arrays' logical drives and every
 * drive's details (serial, model, firmware, temperature).  The short
 * "physicaldrive ID (...)" listing lines are skipped: the detail blocks say
 * it all.  0, or -EINVAL with err ("line 3: ...").
 */
int	ssacli_parse_config(const char *text, size_t len,
	    struct hw_report *out, char *err, size_t err_size);
/* "ctrl slot=N ld all show" / "pd all show" for the controller c. */
int	ssacli_parse_ld(const char *text, size_t len, struct hw_ctrl *c,
	    char *err, size_t err_size);
int	ssacli_parse_pd(const char *text, size_t len, struct hw_ctrl *c,
	    char *err, size_t err_size);
/*
 * arcconf "GETCONFIG N AL" into out (appended: one controller each run).
 * *ret_found is "Controllers found: N".  0 or -EINVAL as above.
 */
int	arcconf_parse_config(const char *text, size_t len, int number,
	    struct hw_report *out, int *ret_found, char *err, size_t err_size);

/*
 * The further member failures a virtual drive of this RAID type survives in
 * this state; -1 when it has no redundancy to lose (RAID0, JBOD) or is
 * offline.  Optl: RAID1/10/5/50 1, RAID6/60 and the triple mirrors
 * RAID1ADM/RAID10ADM 2; Pdgd one less; Dgrd, Rec: 0.  state is a norm.
 */
int	storcli_vd_redundancy(const char *type, const char *state);

#endif
