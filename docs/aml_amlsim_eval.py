import csv, json, subprocess, sys
import os; B=os.environ.get('SPARROW_BIN','build/sparrow')
fraud={r['nodeid'] for r in csv.DictReader(open('/work/shared/data/amlsim_20k_accounts.csv')) if r['isFraud']=='1'}
out=subprocess.run([B,'aml','--transactions','/work/shared/data/amlsim_20k_transactions.csv','--config',sys.argv[1]],capture_output=True,text=True,check=True).stdout
flag={'cycle':set(),'fan_in':set()}
for l in out.splitlines():
    a=json.loads(l); flag[a['pattern']].update(a['accounts'])
for k,v in list(flag.items())+[('union',flag['cycle']|flag['fan_in'])]:
    tp=len(v&fraud); print(sys.argv[1], k, 'flagged',len(v),'tp',tp,'precision %.3f recall %.3f'%(tp/max(1,len(v)), tp/len(fraud)))
