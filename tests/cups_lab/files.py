"""The files a private CUPS lab writes: cupsd configuration, the fax PPD, the copier's print command."""

from __future__ import annotations

from pathlib import Path

HOST = "127.0.0.1"
SYSTEM_SERVER_BIN = Path("/usr/lib/cups")
FAX_BACKEND = Path(__file__).parents[1] / "cups_backend" / "frontdesk-fax-test"
COPIER_SUPPLIES = ("waste", "black", "cyan", "magenta", "yellow")  # supply0 .. supply4 of the form
COPIER_REASONS = (  # noqa: SIM905 -- all that ippeveprinter takes from its print command; it ignores others
    "other cover-open input-tray-missing marker-supply-empty marker-supply-low marker-waste-almost-full "
    "marker-waste-full media-empty media-jam media-low media-needed moving-to-paused paused "
    "spool-area-full toner-empty toner-low"
).split()
READY_ATTEMPTS, READY_INTERVAL = 200, 0.025  # at most 5 s to come up
STOP_TIMEOUT = 10.0

COPIER_COMMAND = """#!/bin/sh
# ippeveprinter's print command: what it writes to stderr becomes printer state.
cd "$FRONTDESK_COPIER_DIR" && cat markers >&2
if [ -f fail-next ]; then
    mv fail-next failed-with && echo "STATE: +$(cat failed-with)" >&2 && echo "ERROR: $(cat failed-with)" >&2
    exit 1
fi
[ ! -f failed-with ] || { echo "STATE: -$(cat failed-with)" >&2; rm failed-with; }
"""
MARKERS = (
    "ATTR: marker-names='Waste Toner,Black Toner,Cyan Toner,Magenta Toner,Yellow Toner'"
    " marker-types=waste-toner,toner,toner,toner,toner marker-colors=none,#000000,#00FFFF,#FF00FF,#FFFF00"
    " marker-low-levels=0,10,10,10,10 marker-high-levels=90,100,100,100,100 marker-levels={levels}\n"
)
CUPS_FILES_CONF = """ServerRoot {root}/etc
ServerBin {root}/lib
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/run
Printcap {root}/run/printcap
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
SetEnv FRONTDESK_FAX_DIR {root}/faxes
"""
CUPSD_CONF = """Listen {host}:{port}
LogLevel {log_level}
Browsing No
DirtyCleanInterval 0
ErrorPolicy retry-job
PreserveJobHistory Yes
MaxJobs 500
JobRetryInterval 1
JobRetryLimit 1
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
# Only this machine can reach the port, so nothing asks for a password.
DefaultPolicy lab
<Policy lab>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
FAX_PPD = """*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "FDFAX.PPD"
*Manufacturer: "Frontdesk"
*ModelName: "Frontdesk Lab Fax"
*NickName: "Frontdesk Lab Fax"
*cupsFax: True
*cupsFilter2: "application/pdf application/pdf 0 -"
"""
