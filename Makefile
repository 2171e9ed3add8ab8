# forewarn — plain GNU make with pkg-config, no configure step.
#
#   make            build $(BUILD)/forewarnd
#   make deps       install the Debian packages the build and the tests need
#   make check      build and run every test (unit, scenario)
#   make asan       the same under AddressSanitizer + UBSan (build-asan/)
#   make valgrind   the unit tests under valgrind
#   make fuzz       build the libFuzzer targets (clang) and run each briefly
#   make lab        build the QEMU hardware lab and run its scenarios
#   make scenario-update   regenerate the scenario golden files
#   make WITH_X=0   leave out an optional part (build switches, below)
#   make minimal    every switch off in build-min/, and its tests
#   make switch-check   each switch off on its own (build-no-*/), and tests
#   make cross-check ARCH=arm64   cross build under qemu-user (deps-cross)
#   make deb        the Debian package (build-deb/)
# docs/building.md describes the switches, the cross build and the package.

BUILD	?= build
CC	?= cc
PREFIX	?= /usr/local
VERSION	:= 0.1.0

PKG_CONFIG ?= pkg-config

# Collectors: one file collectors/NAME.c exporting NAME_collector.  Sink
# types: agent/sinks/NAME.c exporting NAME_sink_type.  Both lists are in
# registry order; the build switches below take out what they leave out.
# The SNMP collectors are listed once their files are in the tree.
SNMP_COLLECTORS	:= $(patsubst collectors/%.c,%,\
		   $(wildcard collectors/snmp.c collectors/snmptrap.c))
COLLECTORS	:= agent host hwraid disks mdraid kmsg netlink sensors \
		   $(SNMP_COLLECTORS)
SINKS		:= stdout alertmanager journal syslog prometheus webhook snmp

# The core's libraries: never switched off.
PKGS	:= inih sqlite3 jansson

# ---- build switches ----
# One switch per optional library.  WITH_X=1 builds the parts that need it
# (and stops if the library is not found), WITH_X=0 leaves them out of the
# binary, and by default (unset) they are built when the library is found.
# WITH_ALL=0 or 1 is the default of every switch: "make WITH_ALL=0" is the
# minimal build, "make WITH_ALL=0 WITH_NETLINK=1" that plus netlink.
# docs/building.md lists them; "make switches" prints this build's.
#
#   switch        libraries             leaves out
#   WITH_DISKS    libatasmart libudev   collectors disks, mdraid, kmsg
#   WITH_NETLINK  libmnl                collector netlink
#   WITH_SENSORS  libsensors            the sensors collector's libsensors
#                                       backend (it reads hwmon in sysfs)
#   WITH_SNMP     net-snmp              sink snmp, collectors snmp, snmptrap
#   WITH_CURL     libcurl libcrypto     sinks alertmanager, webhook
#   WITH_MHD      libmicrohttpd         sink prometheus
#
# Always built: the core, the collectors agent, host, hwraid and sensors
# (sysfs), the sinks stdout, journal and syslog.
SWITCHES := DISKS NETLINK SENSORS SNMP CURL MHD

# Per switch: pkg-config names (SW_PKGS_), other compiler and linker flags
# (SW_DEFS_, SW_LIBS_), the collectors and sink types, the agent/ files
# only they use (SW_AGENT_), their unit tests and fuzz targets by name
# (SW_TESTS_: tests/unit/test_NAME.c, fuzz/fuzz_NAME.c) and the Debian
# -dev packages (SW_DEBS_, for make deps-cross).
SW_PKGS_DISKS		:= libatasmart libudev
SW_COLLECTORS_DISKS	:= disks mdraid kmsg
SW_TESTS_DISKS		:= disks mdraid kmsg kmsg_fs probe risk
SW_DEBS_DISKS		:= libatasmart-dev libudev-dev
SW_PKGS_NETLINK		:= libmnl
SW_COLLECTORS_NETLINK	:= netlink
SW_TESTS_NETLINK	:= netlink
SW_DEBS_NETLINK		:= libmnl-dev
# libsensors has no pkg-config file on Debian: it is linked by name.
SW_DEFS_SENSORS		:= -DFW_HAVE_LIBSENSORS=1
SW_LIBS_SENSORS		:= -lsensors
SW_DEBS_SENSORS		:= libsensors-dev
SW_PKGS_SNMP		:= netsnmp
SW_COLLECTORS_SNMP	:= $(SNMP_COLLECTORS)
SW_SINKS_SNMP		:= snmp
SW_AGENT_SNMP		:= agent/snmplib.c
SW_TESTS_SNMP		:= snmp%
SW_DEBS_SNMP		:= libsnmp-dev
SW_PKGS_CURL		:= libcurl libcrypto
SW_SINKS_CURL		:= alertmanager webhook
SW_AGENT_CURL		:= agent/alert.c agent/http.c
SW_TESTS_CURL		:= alert webhook
SW_DEBS_CURL		:= libcurl4-openssl-dev libssl-dev
SW_PKGS_MHD		:= libmicrohttpd
SW_SINKS_MHD		:= prometheus
SW_TESTS_MHD		:= prometheus
SW_DEBS_MHD		:= libmicrohttpd-dev

# Whether each library is here (for $(CC): cross builds ask their own).
fw_pkg = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo 1 || echo 0)
HAVE_DISKS	:= $(call fw_pkg,$(SW_PKGS_DISKS))
HAVE_NETLINK	:= $(call fw_pkg,$(SW_PKGS_NETLINK))
HAVE_SENSORS	:= $(shell printf '\043include <sensors/sensors.h>\nint main(void) { return sensors_init(0); }\n' | \
		   $(CC) -x c -o /dev/null - -lsensors >/dev/null 2>&1 && echo 1 || echo 0)
HAVE_SNMP	:= $(call fw_pkg,$(SW_PKGS_SNMP))
HAVE_CURL	:= $(call fw_pkg,$(SW_PKGS_CURL))
HAVE_MHD	:= $(call fw_pkg,$(SW_PKGS_MHD))

# The switches asked for on the command line (WITH_ALL counts), before
# the defaults fill in: make deps-cross installs what these need.
SW_ASKED := $(foreach s,$(SWITCHES),$(if $(filter 1,$(or $(WITH_$(s)),$(WITH_ALL))),$(s)))
$(foreach s,$(SWITCHES),$(eval WITH_$(s) ?= $(or $(WITH_ALL),$(HAVE_$(s)))))
$(foreach s,$(SWITCHES),$(if $(filter-out 0 1,$(WITH_$(s))),\
	$(error WITH_$(s)=$(WITH_$(s)): a switch is 0 or 1)))
SW_ON	:= $(foreach s,$(SWITCHES),$(if $(filter 1,$(WITH_$(s))),$(s)))
SW_OFF	:= $(filter-out $(SW_ON),$(SWITCHES))
ifeq ($(filter deps deps-cross deb-deps switches clean,$(MAKECMDGOALS)),)
$(foreach s,$(SW_ON),$(if $(filter 0,$(HAVE_$(s))),\
	$(error WITH_$(s)=1 but $(or $(SW_PKGS_$(s)),$(SW_LIBS_$(s))) not found: \
	make deps, or WITH_$(s)=0)))
endif

PKGS_OPT	:= $(foreach s,$(SW_ON),$(SW_PKGS_$(s)))
DEFS_OPT	:= $(foreach s,$(SW_ON),$(SW_DEFS_$(s)))
LIBS_OPT	:= $(foreach s,$(SW_ON),$(SW_LIBS_$(s)))
# Each once, in order, whoever else added it.
fw_uniq = $(if $(1),$(firstword $(1)) $(call fw_uniq,$(filter-out $(firstword $(1)),$(1))))
COLLECTORS	:= $(call fw_uniq,$(filter-out \
		   $(foreach s,$(SW_OFF),$(SW_COLLECTORS_$(s))),$(COLLECTORS)))
SINKS		:= $(filter-out $(foreach s,$(SW_OFF),$(SW_SINKS_$(s))),$(SINKS))
AGENT_OFF	:= $(foreach s,$(SW_OFF),$(SW_AGENT_$(s)))
TESTS_OFF	:= $(foreach s,$(SW_OFF),$(SW_TESTS_$(s)))
# NAME:SWITCH of each part left out, for --check-config's errors.
ABSENT_COLLECTORS := $(foreach s,$(SW_OFF),$(SW_COLLECTORS_$(s):%=%:$(s)))
ABSENT_SINKS	  := $(foreach s,$(SW_OFF),$(SW_SINKS_$(s):%=%:$(s)))

# Debian packages for build, tests and CI.
DEBIAN_DEPS := build-essential pkg-config clang libclang-rt-14-dev valgrind \
	libinih-dev libsqlite3-dev libjansson-dev libcmocka-dev libcurl4-openssl-dev libmicrohttpd-dev \
	libudev-dev libatasmart-dev libsensors-dev libmnl-dev libssl-dev \
	python3 sqlite3 procps e2fsprogs iproute2 \
	qemu-system-x86 busybox-static cpio kmod xz-utils nvme-cli libatasmart-bin smartmontools mdadm \
	collectd-core prometheus-node-exporter \
	lm-sensors i2c-tools prometheus-alertmanager rsyslog prometheus \
	libsnmp-dev snmp snmptrapd systemd util-linux scdoc \
	snmpd frr frr-snmp snmpsim python3-pysnmp4 nftables

WARN	:= -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wshadow \
	   -Wno-unused-parameter
ifeq ($(CI),true)
WERROR	?= 1
endif
ifeq ($(WERROR),1)
WARN	+= -Werror
endif

OPT	?= -O2 -g
CFLAGS	?= $(OPT)
SAN_FLAGS :=
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=undefined
OPT	:= -O1 -g
endif
ifeq ($(FUZZ),1)
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	     -fno-omit-frame-pointer -DFW_FUZZING=1
OPT	:= -O1 -g
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(PKGS_OPT) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) $(PKGS_OPT) 2>/dev/null)

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 \
	      -fstack-protector-strong $(WARN) $(OPT) $(SAN_FLAGS) \
	      -Iinclude -I$(BUILD) -DFW_VERSION='"$(VERSION)"' $(DEFS_OPT) \
	      $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)
LIBS	:= $(PKG_LIBS) $(LIBS_OPT) -lm

CORE_SRCS := $(filter-out agent/main.c agent/clock.c $(AGENT_OFF),\
	       $(wildcard agent/*.c)) \
	     $(SINKS:%=agent/sinks/%.c)
# A collector may split into collectors/NAME_*.c (parsers apart, for fuzzing).
COLL_SRCS := $(foreach c,$(filter-out agent,$(COLLECTORS)),\
	       $(wildcard collectors/$(c).c collectors/$(c)_*.c))
LIB_OBJS  := $(CORE_SRCS:%.c=$(BUILD)/%.o) $(COLL_SRCS:%.c=$(BUILD)/%.o) \
	     $(BUILD)/registry.o
LIBFW	  := $(BUILD)/libforewarn.a

TEST_LIB_SRCS := $(wildcard tests/lib/*.c)
TEST_LIB_OBJS := $(TEST_LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(filter-out $(TESTS_OFF:%=tests/unit/test_%.c),\
	       $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS := $(filter-out $(TESTS_OFF:%=fuzz/fuzz_%.c),$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all deps check unit scenario scenario-update asan valgrind fuzz \
	fuzz-build lab bench install clean FORCE
.DEFAULT_GOAL := all

all: $(BUILD)/forewarnd

$(BUILD)/forewarnd: $(BUILD)/agent/main.o $(BUILD)/agent/clock.o $(LIBFW)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(LIBFW): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The registry is generated from COLLECTORS and SINKS; it is rewritten only
# when the lists change, so it does not force a relink every time.
$(BUILD)/registry.c: FORCE
	@mkdir -p $(BUILD)
	@{ echo '/* Generated by make from COLLECTORS and SINKS. */'; \
	  echo '/* Switches: $(foreach s,$(SWITCHES),WITH_$(s)=$(WITH_$(s))) */'; \
	  echo '#include "forewarn/registry.h"'; \
	  for c in $(COLLECTORS); do echo "extern const struct fw_collector $${c}_collector;"; done; \
	  for s in $(SINKS); do echo "extern const struct fw_sink_type $${s}_sink_type;"; done; \
	  echo 'const struct fw_collector *const registry_collectors[] = {'; \
	  for c in $(COLLECTORS); do echo "	&$${c}_collector,"; done; \
	  echo '	NULL };'; \
	  echo 'const size_t registry_n_collectors = $(words $(COLLECTORS));'; \
	  echo 'const struct fw_sink_type *const registry_sinks[] = {'; \
	  for s in $(SINKS); do echo "	&$${s}_sink_type,"; done; \
	  echo '	NULL };'; \
	  echo 'const size_t registry_n_sinks = $(words $(SINKS));'; \
	  echo 'const struct fw_conf_absent registry_absent_collectors[] = {'; \
	  for e in $(ABSENT_COLLECTORS); do \
	    echo "	{ \"$${e%%:*}\", \"WITH_$${e#*:}=0\" },"; done; \
	  echo '	{ NULL, NULL } };'; \
	  echo 'const struct fw_conf_absent registry_absent_sinks[] = {'; \
	  for e in $(ABSENT_SINKS); do \
	    echo "	{ \"$${e%%:*}\", \"WITH_$${e#*:}=0\" },"; done; \
	  echo '	{ NULL, NULL } };'; \
	} > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
FORCE:

# Keep intermediate objects (test and fuzz objects are built by chains).
.SECONDARY:

# Objects are rebuilt when the compiler or its flags change (a build switch,
# OPT, CC): $(BUILD)/cflags is rewritten only then.
$(BUILD)/cflags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(subst ','\'',$(CC) $(ALL_CFLAGS))' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/%.o: %.c $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CFLAGS_EXTRA) -c -o $@ $<

$(BUILD)/tests/%.o $(BUILD)/fuzz/%.o: CFLAGS_EXTRA := -Itests/lib

$(BUILD)/registry.o: $(BUILD)/registry.c $(BUILD)/cflags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# test_probe's libatasmart comes with WITH_DISKS, in LIBS.
TEST_LIBS := -lcmocka

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_LIB_OBJS) $(LIBFW)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# A test program of a part switched off since it was built goes: the test
# runners run every $(BUILD)/tests/test_*.
unit: $(UNIT_BINS)
	@for t in $(BUILD)/tests/test_*; do \
	  case " $(UNIT_BINS) " in *" $$t "*) ;; *) rm -f "$$t" ;; esac; \
	done

# Lab tools run inside the guest.
$(BUILD)/tests/lab/probe-dump: $(BUILD)/tests/lab/probe-dump.o $(BUILD)/agent/clock.o $(LIBFW)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell pkg-config --libs libatasmart)

check: all unit
	sh tests/run-tests.sh $(BUILD)

scenario: all
	sh tests/scenario/run.sh $(BUILD)/forewarnd

scenario-update: all
	FW_SCENARIO_UPDATE=1 sh tests/scenario/run.sh $(BUILD)/forewarnd

asan:
	$(MAKE) BUILD=build-asan SAN=1 check

# The QEMU lab boots a Debian kernel with emulated disks and a NIC and runs
# forewarnd inside it (tests/lab/, about 8 s a scenario under TCG).
LAB_TOOLS := $(BUILD)/tests/lab/probe-dump $(BUILD)/tests/lab/stamp

$(BUILD)/tests/lab/stamp: $(BUILD)/tests/lab/stamp.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

lab: all $(LAB_TOOLS)
	sh tests/lab/build.sh $(BUILD) $(BUILD)/forewarnd $(LAB_TOOLS)
	python3 tests/lab/run.py $(BUILD) $(LAB_SCENARIOS)

valgrind: unit
	FW_VALGRIND=1 sh tests/run-tests.sh $(BUILD) unit

# Fuzz targets are built with clang and libFuzzer in build-fuzz/.
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ=1 WERROR=0 fuzz-build
	sh fuzz/run.sh build-fuzz/fuzz $${FUZZ_SECONDS:-30}

fuzz-build: $(FUZZ_BINS)

$(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(BUILD)/agent/clock.o $(LIBFW)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

deps:
	@missing=""; for p in $(DEBIAN_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all build and test packages are installed"; fi

# make switches: this build's switches, and what each one built or left out.
switches:
	@$(foreach s,$(SWITCHES),printf '%-14s %s  %s\n' WITH_$(s)=$(WITH_$(s)) \
	    '$(if $(filter 1,$(WITH_$(s))),builds,leaves out)' \
	    '$(strip $(SW_COLLECTORS_$(s)) $(SW_SINKS_$(s)) $(if $(SW_DEFS_$(s)),libsensors backend))';)
	@echo "collectors: $(COLLECTORS)"
	@echo "sinks:      $(SINKS)"

# make minimal: every switch off in build-min/, its unit tests, and
# tests/edge/run.sh (--once on a fixture root, --check-config of the parts
# left out, none of their libraries linked); the stripped size last.
MIN_BUILD ?= build-min

minimal:
	$(MAKE) BUILD=$(MIN_BUILD) WITH_ALL=0 all unit
	sh tests/edge/run.sh $(MIN_BUILD)

# make switch-check: one build per switch with only that one off, in
# build-no-SWITCH/, each tested as make minimal tests its build.
switch-check:
	@for s in $(SWITCHES); do \
	  echo "== WITH_$$s=0 =="; \
	  $(MAKE) --no-print-directory BUILD=build-no-$$s WITH_ALL=1 \
	      WITH_$$s=0 all unit && \
	  sh tests/edge/run.sh build-no-$$s || exit 1; \
	done

# ---- cross builds (Debian multiarch) ----
# make deps-cross [ARCH=arm64] adds the architecture to dpkg and installs
# the cross compiler, qemu-user, and the ARCH -dev packages of the core,
# cmocka, and each switch set to 1 on its command line (none: the minimal
# build).  make cross builds forewarnd and the unit tests in build-ARCH/
# with the switches the ARCH libraries found allow (as make does natively);
# make cross-check runs them under qemu-user with tests/edge/run.sh.
ARCH		?= arm64
CROSS_TRIPLET_arm64	:= aarch64-linux-gnu
CROSS_QEMU_arm64	:= qemu-aarch64
CROSS_TRIPLET	:= $(CROSS_TRIPLET_$(ARCH))
CROSS_BUILD	?= build-$(ARCH)
# libsnmp-dev is not Multi-Arch: same: libsnmp-dev:ARCH would remove the
# native one, so WITH_SNMP=1 cross builds need an ARCH chroot instead.
CROSS_DEBS	:= libinih-dev libsqlite3-dev libjansson-dev libcmocka-dev \
		   $(foreach s,$(filter-out SNMP,$(SW_ASKED)),$(SW_DEBS_$(s)))
CROSS_ENV	:= PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_TRIPLET)/pkgconfig:/usr/share/pkgconfig

.PHONY: switches minimal switch-check deps-cross cross cross-check cross-arch

cross-arch:
	@test -n "$(CROSS_TRIPLET)" || \
	    { echo "ARCH=$(ARCH): no cross build for it (arm64)"; exit 1; }

deps-cross: cross-arch
	$(if $(filter SNMP,$(SW_ASKED)),@echo "not installing libsnmp-dev:$(ARCH):" \
	    "it would remove the native libsnmp-dev; cross builds take WITH_SNMP=0")
	@dpkg --print-foreign-architectures | grep -qx '$(ARCH)' || \
	    { echo "dpkg --add-architecture $(ARCH)"; \
	      dpkg --add-architecture $(ARCH) && apt-get update -qq; }
	@$(MAKE) --no-print-directory deps DEBIAN_DEPS="gcc-$(CROSS_TRIPLET) \
	    qemu-user $(CROSS_DEBS:%=%:$(ARCH))"

cross: cross-arch
	$(CROSS_ENV) $(MAKE) BUILD=$(CROSS_BUILD) CC=$(CROSS_TRIPLET)-gcc all unit

# qemu runs them with the ARCH glibc of multiarch (libc6:ARCH, which the
# -dev packages bring), not with -L /usr/$(CROSS_TRIPLET): that is the
# cross toolchain's older glibc, whose ld.so with the newer libc.so hangs
# every forked child.
cross-check: cross
	FW_RUN="$(CROSS_QEMU_$(ARCH))" FW_STRIP=$(CROSS_TRIPLET)-strip \
	    sh tests/edge/run.sh $(CROSS_BUILD)

# make install [DESTDIR=DIR] [PREFIX=/usr/local] [SYSCONFDIR=/etc]: the
# daemon, a default configuration (kept if one is there), conf.d/, the
# systemd unit (its paths follow PREFIX and SYSCONFDIR), the sysusers.d
# entry of the forewarn user, the man pages and the documentation.
SYSCONFDIR	?= /etc
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/forewarn
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
CONFDIR		:= $(SYSCONFDIR)/forewarn
# The daemon's built-in default is /etc/forewarn/forewarn.conf.
ifneq ($(SYSCONFDIR),/etc)
UNIT_CONF	:= -c $(CONFDIR)/forewarn.conf
endif
MANS	:= $(BUILD)/man/forewarnd.8 $(BUILD)/man/forewarn.conf.5
DOCS	:= README.md $(wildcard docs/*.md) docs/FOREWARN-MIB.txt

.PHONY: man deb deb-deps

man: $(MANS)

$(BUILD)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

install: all man
	install -D -m 0755 $(BUILD)/forewarnd $(DESTDIR)$(SBINDIR)/forewarnd
	install -d -m 0755 $(DESTDIR)$(CONFDIR)/conf.d
	[ -e $(DESTDIR)$(CONFDIR)/forewarn.conf ] || \
	    install -m 0644 packaging/forewarn.conf $(DESTDIR)$(CONFDIR)/forewarn.conf
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|^\(Exec[A-Za-z]*=\)/usr/sbin/forewarnd|\1$(SBINDIR)/forewarnd$(if $(UNIT_CONF), $(UNIT_CONF))|' \
	    packaging/systemd/forewarnd.service > $(DESTDIR)$(UNITDIR)/forewarnd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/forewarnd.service
	install -D -m 0644 packaging/sysusers/forewarn.conf \
	    $(DESTDIR)$(SYSUSERSDIR)/forewarn.conf
	install -D -m 0644 $(BUILD)/man/forewarnd.8 $(DESTDIR)$(MANDIR)/man8/forewarnd.8
	install -D -m 0644 $(BUILD)/man/forewarn.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/forewarn.conf.5
	install -d -m 0755 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/

# make deb: a Debian package from packaging/debian/ (debhelper 13), built in
# $(DEB_DIR) from the files git tracks, then checked by lintian (errors
# fail).  Not under $(BUILD): its etc/forewarn/conf.d would be taken for a
# dependency file.  deb-deps installs what that needs, apart from make
# check's list.
DEB_DEPS := debhelper dpkg-dev lintian scdoc pkg-config \
	libinih-dev libsqlite3-dev libjansson-dev libcurl4-openssl-dev \
	libmicrohttpd-dev libssl-dev libsnmp-dev libudev-dev libatasmart-dev \
	libsensors-dev libmnl-dev
DEB_DIR ?= $(BUILD)-deb
DEB_SRC := $(DEB_DIR)/forewarn-$(VERSION)

deb-deps:
	@$(MAKE) --no-print-directory deps DEBIAN_DEPS="$(DEB_DEPS)"

deb: deb-deps
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	git ls-files -z -- . ':(exclude)**/__pycache__/**' | \
	    tar --null -T - -cf - | tar -xf - -C $(DEB_SRC)
	cp -R packaging/debian $(DEB_SRC)/debian
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc
	lintian --fail-on error $(DEB_DIR)/forewarn_$(VERSION)_*.changes
	@ls $(DEB_DIR)/*.deb

$(BUILD)/bench/kmsg-classify: $(BUILD)/bench/kmsg-classify.o $(LIBFW)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bench/outbox-burst: $(BUILD)/bench/outbox-burst.o $(BUILD)/agent/clock.o $(LIBFW)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Figures, not assertions: bench/README.md says what each one means.
# bench-deps installs the reference tools run beside forewarnd and what the
# labs need, as make deps does; bench/run.py runs every bench and ends with
# one table of ratios and absolute figures (bench/results/DATE.md). The
# package is built first for its size (a failure there only loses that).
BENCH_DEPS := collectd-core prometheus-node-exporter smartmontools mdadm \
	prometheus-snmp-exporter snmpd snmp snmpsim valgrind qemu-system-x86 \
	busybox-static cpio kmod xz-utils nvme-cli libatasmart-bin lm-sensors \
	i2c-tools prometheus-alertmanager iproute2 binutils frr frr-snmp \
	nftables python3-pysnmp4
.PHONY: bench-deps

bench-deps:
	@$(MAKE) --no-print-directory deps DEBIAN_DEPS="$(BENCH_DEPS)"

bench: bench-deps all $(LAB_TOOLS) $(BUILD)/bench/kmsg-classify $(BUILD)/bench/outbox-burst
	FW_LAB_VALGRIND=1 sh tests/lab/build.sh $(BUILD) $(BUILD)/forewarnd $(LAB_TOOLS)
	-$(MAKE) --no-print-directory deb
	python3 bench/run.py $(BUILD)

clean:
	rm -rf build build-asan build-fuzz build-deb build-min build-arm64 \
	    $(SWITCHES:%=build-no-%) build-pkg build-pkg-deb

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
