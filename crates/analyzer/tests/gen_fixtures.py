#!/usr/bin/env python3
"""Writes most of the rule fixtures under tests/fixtures/<rule-id>/<case>/ (generic folder
layout). Every time is relative to the tests' reference time, 2025-03-14T10:00:00Z. Hand-written
fixtures (describe text) live beside them and are left alone. Needs PyYAML.

usage: python3 crates/analyzer/tests/gen_fixtures.py
"""
import yaml, os
ROOT=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
NS='calico-system'
DEP='calico-kube-controllers'
RS=DEP+'-6f8c9d7b5'
POD=RS+'-x2x7k'
POD_UID='4c1f5e2a-0b7d-4a61-9c3e-2f0d6b8a1e01'
RS_UID='9a7e3c11-5d42-4b0e-8f6a-1c2d3e4f5a60'
DEP_UID='0d3b6a2e-7c19-4f58-a0b4-6e5d4c3b2a10'
IMG='icr.io/ext/calico/kube-controllers:v3.28.2'

def w(case, fname, docs):
    d=os.path.join(ROOT, case)
    os.makedirs(os.path.dirname(os.path.join(d,fname)), exist_ok=True)
    with open(os.path.join(d,fname),'w') as f:
        if isinstance(docs, str):
            f.write(docs)
        else:
            yaml.safe_dump_all(docs, f, sort_keys=False, default_flow_style=False, width=1000)

def node(name, ready='True', reason='KubeletReady', msg='kubelet is posting ready status', created='2025-01-10T08:00:00Z', kubelet='v1.31.4+IKS', extra_conds=(), unschedulable=False, uid=None, ltt='2025-01-10T08:02:00Z'):
    conds=[{'type':'NetworkUnavailable','status':'False','reason':'CalicoIsUp','message':'Calico is running on this node','lastTransitionTime':'2025-01-10T08:03:00Z'},
           {'type':'MemoryPressure','status':'False','reason':'KubeletHasSufficientMemory','message':'kubelet has sufficient memory available','lastTransitionTime':'2025-01-10T08:02:00Z'},
           {'type':'DiskPressure','status':'False','reason':'KubeletHasNoDiskPressure','message':'kubelet has no disk pressure','lastTransitionTime':'2025-01-10T08:02:00Z'},
           {'type':'PIDPressure','status':'False','reason':'KubeletHasSufficientPID','message':'kubelet has sufficient PID available','lastTransitionTime':'2025-01-10T08:02:00Z'},
           {'type':'Ready','status':ready,'reason':reason,'message':msg,'lastTransitionTime':ltt}]
    for c in extra_conds:
        conds=[x for x in conds if x['type']!=c['type']]+[c]
    n={'apiVersion':'v1','kind':'Node','metadata':{'name':name,'uid':uid or ('node-'+name),'creationTimestamp':created,'labels':{'kubernetes.io/hostname':name}},
       'spec':{},'status':{'conditions':conds,'nodeInfo':{'kubeletVersion':kubelet}}}
    if unschedulable: n['spec']['unschedulable']=True
    return n

def deployment(replicas=1, ready=1, conds=None, managed=None):
    d={'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':DEP,'namespace':NS,'uid':DEP_UID,'creationTimestamp':'2025-01-10T08:05:00Z','generation':1},
       'spec':{'replicas':replicas,'selector':{'matchLabels':{'k8s-app':DEP}},'template':{'metadata':{'labels':{'k8s-app':DEP}},'spec':{'containers':[{'name':DEP,'image':IMG}]}}},
       'status':{'replicas':ready,'readyReplicas':ready,'availableReplicas':ready}}
    if conds: d['status']['conditions']=conds
    if managed: d['metadata']['managedFields']=managed
    return d

def replicaset(replicas=1, conds=None):
    r={'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'name':RS,'namespace':NS,'uid':RS_UID,'creationTimestamp':'2025-01-10T08:05:00Z',
        'labels':{'k8s-app':DEP,'pod-template-hash':'6f8c9d7b5'},
        'ownerReferences':[{'apiVersion':'apps/v1','kind':'Deployment','name':DEP,'uid':DEP_UID,'controller':True}]},
       'spec':{'replicas':replicas},'status':{'replicas':0}}
    if conds: r['status']['conditions']=conds
    return r

def pod(name=POD, uid=POD_UID, node='10.240.0.4', phase='Running', state=None, last=None, ready=True, restarts=0, created='2025-03-13T06:00:00Z', limit='128Mi', conds=None, reason=None, message=None, image=IMG):
    st={'name':DEP,'image':image,'ready':ready,'restartCount':restarts,'state':state or {'running':{'startedAt':created}}}
    if last: st['lastState']=last
    p={'apiVersion':'v1','kind':'Pod','metadata':{'name':name,'namespace':NS,'uid':uid,'creationTimestamp':created,'labels':{'k8s-app':DEP,'pod-template-hash':'6f8c9d7b5'},
        'ownerReferences':[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':RS,'uid':RS_UID,'controller':True}]},
       'spec':{'containers':[{'name':DEP,'image':image,'resources':{'limits':{'memory':limit},'requests':{'cpu':'10m','memory':'64Mi'}}}]},
       'status':{'phase':phase}}
    if node: p['spec']['nodeName']=node
    if phase!='Pending' or state: p['status']['containerStatuses']=[st]
    if conds: p['status']['conditions']=conds
    if reason: p['status']['reason']=reason
    if message: p['status']['message']=message
    return p

def ev(name, kind, objname, reason, message, first, last, count=1, typ='Warning', ns=NS, uid=None, comp='kubelet'):
    inv={'kind':kind,'name':objname}
    if ns and kind!='Node': inv['namespace']=ns
    if uid: inv['uid']=uid
    return {'apiVersion':'v1','kind':'Event','metadata':{'name':name,'namespace':ns or 'default','creationTimestamp':first},
            'involvedObject':inv,'reason':reason,'message':message,'type':typ,'firstTimestamp':first,'lastTimestamp':last,'count':count,'source':{'component':comp}}

def new_ev(name, kind, objname, reason, note, event_time, last, count, typ='Warning', ns=NS, uid=None, controller='replicaset-controller'):
    reg={'kind':kind,'name':objname,'namespace':ns}
    if uid: reg['uid']=uid
    e={'apiVersion':'events.k8s.io/v1','kind':'Event','metadata':{'name':name,'namespace':ns,'creationTimestamp':event_time},
       'eventTime':event_time,'reportingController':controller,'reportingInstance':controller,'action':'Create','reason':reason,'regarding':reg,'note':note,'type':typ,
       'deprecatedFirstTimestamp':None,'deprecatedLastTimestamp':None,'deprecatedCount':0}
    if count>1: e['series']={'count':count,'lastObservedTime':last}
    return e

NSOBJ={'apiVersion':'v1','kind':'Namespace','metadata':{'name':NS,'labels':{'kubernetes.io/metadata.name':NS,'name':NS}}}
healthy_base=lambda: [NSOBJ, deployment(), replicaset()]

# (no rmtree: some fixtures are hand-written)

# ---------------- workload-missing
w('workload-missing/fire-absent','cluster.yaml',[NSOBJ, node('10.240.0.4')])
w('workload-missing/fire-scaled-to-zero','cluster.yaml',[NSOBJ, node('10.240.0.4'), deployment(replicas=0, ready=0)])
w('workload-missing/fire-no-pods','cluster.yaml',[NSOBJ, node('10.240.0.4'),
  deployment(ready=0, conds=[{'type':'Available','status':'False','reason':'MinimumReplicasUnavailable','message':'Deployment does not have minimum availability.','lastTransitionTime':'2025-03-14T09:10:00Z'},
                             {'type':'ReplicaFailure','status':'True','reason':'FailedCreate','message':'pods "calico-kube-controllers-6f8c9d7b5-" is forbidden: error looking up service account calico-system/calico-kube-controllers: serviceaccount "calico-kube-controllers" not found','lastTransitionTime':'2025-03-14T09:10:00Z'}]),
  replicaset(),
  ev('cc1.17c8a1','ReplicaSet',RS,'FailedCreate','Error creating: pods "calico-kube-controllers-6f8c9d7b5-" is forbidden: error looking up service account calico-system/calico-kube-controllers: serviceaccount "calico-kube-controllers" not found','2025-03-14T09:10:00Z','2025-03-14T09:55:00Z',count=18,uid=RS_UID,comp='replicaset-controller')])
w('workload-missing/miss-running','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod()])

# ---------------- webhook-denied
VWC={'apiVersion':'admissionregistration.k8s.io/v1','kind':'ValidatingWebhookConfiguration','metadata':{'name':'policy-guard','creationTimestamp':'2025-02-01T00:00:00Z'},
     'webhooks':[{'name':'deny-unlabelled.policy.example.com','failurePolicy':'Fail','sideEffects':'None','admissionReviewVersions':['v1'],
                  'clientConfig':{'service':{'namespace':'policy-system','name':'policy-webhook','port':443,'path':'/validate'}},
                  'namespaceSelector':{'matchExpressions':[{'key':'kubernetes.io/metadata.name','operator':'NotIn','values':['kube-system','policy-system']}]},
                  'rules':[{'operations':['CREATE','UPDATE'],'apiGroups':[''],'apiVersions':['v1'],'resources':['pods'],'scope':'Namespaced'}]}]}
DENY='Error creating: admission webhook "deny-unlabelled.policy.example.com" denied the request: pod calico-kube-controllers-6f8c9d7b5-q8z2m has no cost-center label'
w('webhook-denied/fire','cluster.yaml',[NSOBJ, node('10.240.0.4'), deployment(ready=0), replicaset(), VWC,
  ev('cc.denied1','ReplicaSet',RS,'FailedCreate',DENY,'2025-03-14T08:30:00Z','2025-03-14T09:58:00Z',count=14,uid=RS_UID,comp='replicaset-controller')])
w('webhook-denied/fire-no-config','cluster.yaml',[NSOBJ, node('10.240.0.4'), deployment(ready=0), replicaset(),
  ev('cc.denied1','ReplicaSet',RS,'FailedCreate',DENY,'2025-03-14T08:30:00Z','2025-03-14T09:58:00Z',count=14,uid=RS_UID,comp='replicaset-controller')])
w('webhook-denied/miss-old','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), VWC,
  ev('cc.denied1','ReplicaSet',RS,'FailedCreate',DENY,'2025-03-01T08:30:00Z','2025-03-01T09:58:00Z',count=3,uid=RS_UID,comp='replicaset-controller')])

# ---------------- webhook-unreachable
GK={'apiVersion':'admissionregistration.k8s.io/v1','kind':'ValidatingWebhookConfiguration','metadata':{'name':'gatekeeper-validating-webhook-configuration'},
    'webhooks':[{'name':'validation.gatekeeper.sh','failurePolicy':'Fail','timeoutSeconds':3,'sideEffects':'None','admissionReviewVersions':['v1'],
                 'clientConfig':{'service':{'namespace':'gatekeeper-system','name':'gatekeeper-webhook-service','port':443,'path':'/v1/admit'}},
                 'namespaceSelector':{'matchExpressions':[{'key':'admission.gatekeeper.sh/ignore','operator':'DoesNotExist'}]},
                 'rules':[{'operations':['CREATE','UPDATE'],'apiGroups':['*'],'apiVersions':['*'],'resources':['*'],'scope':'*'}]}]}
SVC={'apiVersion':'v1','kind':'Service','metadata':{'name':'gatekeeper-webhook-service','namespace':'gatekeeper-system'},'spec':{'ports':[{'port':443,'targetPort':8443}]}}
EPS={'apiVersion':'v1','kind':'Endpoints','metadata':{'name':'gatekeeper-webhook-service','namespace':'gatekeeper-system'},'subsets':[{'notReadyAddresses':[{'ip':'172.30.12.9'}],'ports':[{'port':8443}]}]}
FAIL='Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": no endpoints available for service "gatekeeper-webhook-service"'
w('webhook-unreachable/fire','cluster.yaml',[NSOBJ, node('10.240.0.4'), deployment(ready=0), replicaset(), GK, SVC, EPS,
  new_ev('cc.gk1', 'ReplicaSet', RS, 'FailedCreate', FAIL, '2025-03-14T09:20:00.000000Z', '2025-03-14T09:59:10Z', 9, uid=RS_UID)])
w('webhook-unreachable/miss-old','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), GK, SVC, EPS,
  ev('cc.gk-old','ReplicaSet',RS,'FailedCreate',FAIL,'2025-03-10T09:20:00Z','2025-03-10T09:30:00Z',count=4,uid=RS_UID,comp='replicaset-controller')])

# ---------------- pod-pending
SCHED='0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..'
w('pod-pending/fire','cluster.yaml',healthy_base()+[node('10.240.0.4', ready='False', reason='KubeletNotReady', msg='container runtime network not ready'),
  pod(node=None, phase='Pending', ready=False, created='2025-03-14T09:15:00Z', conds=[{'type':'PodScheduled','status':'False','reason':'Unschedulable','message':SCHED,'lastTransitionTime':'2025-03-14T09:15:00Z'}]),
  ev(POD+'.sched','Pod',POD,'FailedScheduling',SCHED,'2025-03-14T09:15:00Z','2025-03-14T09:59:00Z',count=23,uid=POD_UID,comp='default-scheduler')])
w('pod-pending/fire-sandbox','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(phase='Pending', ready=False, created='2025-03-14T09:00:00Z', state={'waiting':{'reason':'ContainerCreating'}}),
  ev(POD+'.sandbox','Pod',POD,'FailedCreatePodSandBox','Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "6e11a3643ea5af99e10ec02111105ae717dceb52ac837218ea58c1b355cb7f57": plugin type="calico" failed (add): stat /var/lib/calico/nodename: no such file or directory: check that the calico/node container is running and has mounted /var/lib/calico/','2025-03-14T09:00:30Z','2025-03-14T09:58:00Z',count=31,uid=POD_UID)])
# near miss: pending for one minute, and an old FailedScheduling event about an earlier pod of the same name
w('pod-pending/miss-just-created','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(node=None, phase='Pending', ready=False, created='2025-03-14T09:59:00Z'),
  ev(POD+'.old','Pod',POD,'FailedScheduling',SCHED,'2025-03-14T08:00:00Z','2025-03-14T08:30:00Z',count=5,uid='11111111-2222-3333-4444-555555555555',comp='default-scheduler')])

# ---------------- image-pull-failure
BADIMG='icr.io/ext/calico/kube-controllers:v3.99.0'
w('image-pull-failure/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(phase='Pending', ready=False, created='2025-03-14T09:30:00Z', image=BADIMG, state={'waiting':{'reason':'ImagePullBackOff','message':'Back-off pulling image "'+BADIMG+'"'}}),
  ev(POD+'.failed','Pod',POD,'Failed','Failed to pull image "'+BADIMG+'": rpc error: code = NotFound desc = failed to pull and unpack image "'+BADIMG+'": failed to resolve reference "'+BADIMG+'": '+BADIMG+': not found','2025-03-14T09:30:10Z','2025-03-14T09:52:00Z',count=6,uid=POD_UID),
  ev(POD+'.backoff','Pod',POD,'BackOff','Back-off pulling image "'+BADIMG+'"','2025-03-14T09:30:20Z','2025-03-14T09:59:00Z',count=110,typ='Normal',uid=POD_UID)])
w('image-pull-failure/miss-recovered','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(created='2025-03-14T09:30:00Z'),
  ev(POD+'.failed','Pod',POD,'Failed','Failed to pull image "'+IMG+'": 429 Too Many Requests','2025-03-14T09:30:10Z','2025-03-14T09:31:00Z',count=2,uid=POD_UID)])

# ---------------- node-not-ready
w('node-not-ready/fire','cluster.yaml',healthy_base()+[
  node('10.240.0.4', ready='Unknown', reason='NodeStatusUnknown', msg='Kubelet stopped posting node status.', ltt='2025-03-14T09:47:00Z',
       extra_conds=[{'type':'MemoryPressure','status':'Unknown','reason':'NodeStatusUnknown','message':'Kubelet stopped posting node status.','lastTransitionTime':'2025-03-14T09:47:00Z'}]),
  node('10.240.0.5', extra_conds=[{'type':'DiskPressure','status':'True','reason':'KubeletHasDiskPressure','message':'kubelet has disk pressure','lastTransitionTime':'2025-03-14T07:00:00Z'}]),
  pod(ready=False),
  ev('10.240.0.4.nnr','Node','10.240.0.4','NodeNotReady','Node 10.240.0.4 status is now: NodeNotReady','2025-03-14T09:47:00Z','2025-03-14T09:47:00Z',ns='default',typ='Normal',comp='node-controller')])
w('node-not-ready/fire-cordoned','cluster.yaml',healthy_base()+[node('10.240.0.4', unschedulable=True), pod()])
w('node-not-ready/miss-other-node','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  node('10.240.0.9', ready='False', reason='KubeletNotReady', msg='PLEG is not healthy: pleg was last seen active 16h17m50s ago; threshold is 3m0s', ltt='2025-03-14T08:00:00Z'), pod()])

# ---------------- crash-loop
CL_LOG='''2025-03-14 09:56:10.101 [INFO][1] main.go 99: Loaded configuration from environment config=&config.Config{LogLevel:"info", WorkloadEndpointWorkers:1, ProfileWorkers:1, PolicyWorkers:1, NodeWorkers:1, Kubeconfig:"", DatastoreType:"kubernetes"}
W0314 09:56:10.102311       1 client_config.go:617] Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.
2025-03-14 09:56:10.103 [INFO][1] main.go 123: Ensuring Calico datastore is initialized
2025-03-14 09:56:10.120 [ERROR][1] client.go 295: Error getting cluster information config ClusterInformation="default" error=connection is unauthorized: Unauthorized
2025-03-14 09:56:10.120 [INFO][1] main.go 130: Failed to initialize datastore error=connection is unauthorized: Unauthorized
2025-03-14 09:56:40.121 [FATAL][1] main.go 143: Failed to initialize Calico datastore
'''
w('crash-loop/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(ready=False, restarts=14, created='2025-03-14T08:40:00Z', state={'waiting':{'reason':'CrashLoopBackOff','message':'back-off 5m0s restarting failed container=calico-kube-controllers pod=calico-kube-controllers-6f8c9d7b5-x2x7k_calico-system('+POD_UID+')'}},
      last={'terminated':{'exitCode':1,'reason':'Error','startedAt':'2025-03-14T09:56:10Z','finishedAt':'2025-03-14T09:56:41Z'}}),
  ev(POD+'.backoff','Pod',POD,'BackOff','Back-off restarting failed container calico-kube-controllers in pod calico-kube-controllers-6f8c9d7b5-x2x7k_calico-system('+POD_UID+')','2025-03-14T08:45:00Z','2025-03-14T09:58:00Z',count=96,uid=POD_UID)])
w('crash-loop/fire','logs/calico-system/'+POD+'/calico-kube-controllers.previous.log', CL_LOG)
w('crash-loop/fire-restarting-often','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(restarts=7, created='2025-03-14T02:00:00Z', state={'running':{'startedAt':'2025-03-14T09:41:00Z'}},
      last={'terminated':{'exitCode':2,'reason':'Error','startedAt':'2025-03-14T09:20:00Z','finishedAt':'2025-03-14T09:40:50Z'}}),
  ev(POD+'.kill','Pod',POD,'Killing','Container calico-kube-controllers failed liveness probe, will be restarted','2025-03-14T03:00:00Z','2025-03-14T09:40:45Z',count=7,typ='Normal',uid=POD_UID),
  ev(POD+'.unhealthy','Pod',POD,'Unhealthy','Liveness probe failed: Error reaching apiserver: <nil> with http status code: 500','2025-03-14T03:00:00Z','2025-03-14T09:40:40Z',count=40,uid=POD_UID)])
w('crash-loop/miss-stable-for-a-day','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(restarts=12, created='2025-03-01T02:00:00Z', state={'running':{'startedAt':'2025-03-13T04:00:00Z'}},
      last={'terminated':{'exitCode':1,'reason':'Error','startedAt':'2025-03-13T03:50:00Z','finishedAt':'2025-03-13T03:59:50Z'}})])

# ---------------- memory-limit-hit
w('memory-limit-hit/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(ready=False, restarts=9, created='2025-03-14T06:00:00Z', state={'waiting':{'reason':'CrashLoopBackOff','message':'back-off 2m40s restarting failed container'}},
      last={'terminated':{'exitCode':137,'reason':'OOMKilled','startedAt':'2025-03-14T09:40:00Z','finishedAt':'2025-03-14T09:56:00Z'}}),
  ev('10.240.0.4.oom','Node','10.240.0.4','OOMKilling','Memory cgroup out of memory: Killed process 48211 (kube-controllers) total-vm:1873520kB, anon-rss:130412kB, file-rss:0kB, shmem-rss:0kB, UID:999 pgtables:560kB oom_score_adj:999','2025-03-14T07:10:00Z','2025-03-14T09:56:00Z',count=9,ns='default',comp='kernel-monitor')])
w('memory-limit-hit/fire-recovered','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(restarts=1, created='2025-03-13T06:00:00Z', state={'running':{'startedAt':'2025-03-14T05:00:05Z'}},
      last={'terminated':{'exitCode':137,'reason':'OOMKilled','startedAt':'2025-03-13T06:00:10Z','finishedAt':'2025-03-14T05:00:00Z'}})])
w('memory-limit-hit/miss-40-days-ago','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(restarts=1, created='2025-01-20T06:00:00Z', state={'running':{'startedAt':'2025-02-02T11:00:05Z'}},
      last={'terminated':{'exitCode':137,'reason':'OOMKilled','startedAt':'2025-01-20T06:00:10Z','finishedAt':'2025-02-02T11:00:00Z'}})])

# ---------------- log-error-signature
LOG_FIRE='''2025-03-14 09:20:00.001 [INFO][1] main.go 99: Loaded configuration from environment
W0314 09:20:00.002100       1 client_config.go:617] Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.
2025-03-14 09:20:00.010 [INFO][1] main.go 123: Ensuring Calico datastore is initialized
2025-03-14 09:31:02.120 [ERROR][1] client.go 295: Error getting cluster information config ClusterInformation="default" error=Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded
2025-03-14 09:31:02.121 [ERROR][1] main.go 276: Failed to verify datastore error=Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded
2025-03-14 09:31:34.500 [ERROR][1] main.go 297: Received bad status code from apiserver error=Get "https://172.21.0.1:443/healthz?timeout=20s": dial tcp 172.21.0.1:443: connect: connection refused status=0
2025-03-14 09:32:02.120 [ERROR][1] client.go 295: Error getting cluster information config ClusterInformation="default" error=Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded
2025-03-14 09:40:00.000 [INFO][1] hostendpoints.go 176: successfully synced all hostendpoints
E0314 09:45:27.007813       1 reflector.go:138] pkg/mod/k8s.io/client-go@v0.29.0/tools/cache/reflector.go:229: Failed to watch *v1.Node: failed to list *v1.Node: Unauthorized
E0314 09:46:27.007813       1 reflector.go:138] pkg/mod/k8s.io/client-go@v0.29.0/tools/cache/reflector.go:229: Failed to watch *v1.Pod: failed to list *v1.Pod: Unauthorized
'''
w('log-error-signature/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(created='2025-03-14T09:20:00Z')])
w('log-error-signature/fire','logs/calico-system/'+POD+'/calico-kube-controllers.log', LOG_FIRE)
w('log-error-signature/fire-panic','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(created='2025-03-14T09:20:00Z')])
w('log-error-signature/fire-panic','logs/calico-system/'+POD+'/calico-kube-controllers.previous.log','''2025-03-14 09:19:00.001 [INFO][1] main.go 99: Loaded configuration from environment
E0314 09:19:31.100200       1 runtime.go:78] Observed a panic: &runtime.TypeAssertionError{_interface:(*runtime._type)(0x164c720), concrete:(*runtime._type)(0x16f4600), asserted:(*runtime._type)(0x185eb00), missingMethod:""} (interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod)
panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod [recovered]
goroutine 112 [running]:
''')
LOG_MISS='''2025-03-14 09:20:00.001 [INFO][1] main.go 99: Loaded configuration from environment
W0314 09:20:00.002100       1 client_config.go:617] Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.
2025-03-14 09:20:00.010 [INFO][1] main.go 123: Ensuring Calico datastore is initialized
2025-03-14 09:20:02.120 [INFO][1] main.go 130: Failed to initialize datastore error=Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded
2025-03-14 09:20:04.130 [INFO][1] main.go 149: Calico datastore is initialized
2025-03-14 09:21:00.000 [WARNING][1] status.go 66: Failed to write status error=open /status/status.json: permission denied
2025-03-14 09:40:00.000 [INFO][1] hostendpoints.go 176: successfully synced all hostendpoints
'''
w('log-error-signature/miss-benign','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(created='2025-03-14T09:20:00Z')])
w('log-error-signature/miss-benign','logs/calico-system/'+POD+'/calico-kube-controllers.log', LOG_MISS)
w('log-error-signature/miss-old','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(created='2025-03-10T09:20:00Z')])
w('log-error-signature/miss-old','logs/calico-system/'+POD+'/calico-kube-controllers.log','''2025-03-10 09:31:02.120 [ERROR][1] client.go 295: Error getting cluster information config ClusterInformation="default" error=connection is unauthorized: Unauthorized
2025-03-10 09:31:04.130 [INFO][1] main.go 149: Calico datastore is initialized
''')

# ---------------- recent-config-change
def felix(time, manager='kubectl-edit'):
    return {'apiVersion':'crd.projectcalico.org/v1','kind':'FelixConfiguration','metadata':{'name':'default','uid':'f1','creationTimestamp':'2025-01-10T08:04:00Z',
            'managedFields':[{'manager':'operator','operation':'Update','apiVersion':'crd.projectcalico.org/v1','time':'2025-01-10T08:04:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:bpfEnabled':{}}}},
                             {'manager':manager,'operation':'Update','apiVersion':'crd.projectcalico.org/v1','time':time,'fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:mtu':{}}}}]},
            'spec':{'bpfEnabled':False,'mtu':1350}}
NP={'apiVersion':'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'default-deny','namespace':NS,'creationTimestamp':'2025-03-14T05:00:00Z',
    'managedFields':[{'manager':'kubectl-client-side-apply','operation':'Update','apiVersion':'networking.k8s.io/v1','time':'2025-03-14T05:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:metadata':{},'f:spec':{'f:podSelector':{},'f:policyTypes':{}}}}]},
    'spec':{'podSelector':{},'policyTypes':['Ingress','Egress']}}
status_only=[{'manager':'kube-controller-manager','operation':'Update','apiVersion':'apps/v1','time':'2025-03-14T09:30:00Z','subresource':'status','fieldsType':'FieldsV1','fieldsV1':{'f:status':{'f:readyReplicas':{}}}},
             {'manager':'tigera-operator','operation':'Update','apiVersion':'apps/v1','time':'2025-01-10T08:05:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{}}}}]
w('recent-config-change/fire','cluster.yaml',[NSOBJ, deployment(), replicaset(), node('10.240.0.4'), pod(), felix('2025-03-14T07:50:00Z'), NP])
w('recent-config-change/miss-30-days-ago','cluster.yaml',[NSOBJ, deployment(managed=status_only), replicaset(), node('10.240.0.4'), pod(), felix('2025-02-12T10:00:00Z'),
  {'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'kube-root-ca.crt','namespace':NS,'creationTimestamp':'2025-03-14T09:00:00Z'},'data':{'ca.crt':'x'}}])

# ---------------- recent-cluster-update
VERSION='{"major":"1","minor":"31","gitVersion":"v1.31.4+IKS","platform":"linux/amd64"}\n'
w('recent-cluster-update/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), node('10.240.0.5'),
  node('10.240.0.6', created='2025-03-14T07:00:00Z', kubelet='v1.30.9+IKS', ltt='2025-03-14T07:03:00Z'), pod()])
w('recent-cluster-update/fire','version.json', VERSION)
w('recent-cluster-update/miss-old-nodes','cluster.yaml',healthy_base()+[node('10.240.0.4'), node('10.240.0.5', kubelet='v1.31.4+IKS'), pod()])
w('recent-cluster-update/miss-old-nodes','version.json', VERSION)

# log-error-signature: identical current and previous logs count once
w('log-error-signature/fire-same-log-twice','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(created='2025-03-14T09:20:00Z')])
w('log-error-signature/fire-same-log-twice','logs/calico-system/'+POD+'/calico-kube-controllers.log', LOG_FIRE)
w('log-error-signature/fire-same-log-twice','logs/calico-system/'+POD+'/calico-kube-controllers.previous.log', LOG_FIRE)

# pod-pending: a volume that cannot be mounted
w('pod-pending/fire-volume','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(phase='Pending', ready=False, created='2025-03-14T09:40:00Z', state={'waiting':{'reason':'ContainerCreating'}}),
  ev(POD+'.mount','Pod',POD,'FailedMount','MountVolume.SetUp failed for volume "tigera-ca-bundle" : configmap "tigera-ca-bundle" not found','2025-03-14T09:40:05Z','2025-03-14T09:58:10Z',count=17,uid=POD_UID)])

# webhook-unreachable: another namespace's ReplicaSet blocked by a webhook that times out (warning)
TIMEOUT='Error creating: Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": context deadline exceeded'
KYV={'apiVersion':'admissionregistration.k8s.io/v1','kind':'ValidatingWebhookConfiguration','metadata':{'name':'kyverno-resource-validating-webhook-cfg'},
     'webhooks':[{'name':'validate.kyverno.svc-fail','failurePolicy':'Fail','timeoutSeconds':10,'sideEffects':'NoneOnDryRun','admissionReviewVersions':['v1'],
                  'clientConfig':{'service':{'namespace':'kyverno','name':'kyverno-svc','port':443,'path':'/validate/fail'}},
                  'namespaceSelector':{'matchExpressions':[{'key':'kubernetes.io/metadata.name','operator':'NotIn','values':['kube-system','kyverno']}]},
                  'rules':[{'operations':['CREATE','UPDATE'],'apiGroups':[''],'apiVersions':['v1'],'resources':['pods'],'scope':'Namespaced'}]}]}
KSVC={'apiVersion':'v1','kind':'Service','metadata':{'name':'kyverno-svc','namespace':'kyverno'},'spec':{'ports':[{'port':443,'targetPort':9443}]}}
KEPS={'apiVersion':'discovery.k8s.io/v1','kind':'EndpointSlice','metadata':{'name':'kyverno-svc-7x2kq','namespace':'kyverno','labels':{'kubernetes.io/service-name':'kyverno-svc'}},
      'addressType':'IPv4','endpoints':[{'addresses':['172.30.40.12'],'conditions':{'ready':True}}],'ports':[{'port':9443}]}
w('webhook-unreachable/fire-timeout-elsewhere','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), KYV, KSVC, KEPS,
  {'apiVersion':'v1','kind':'Namespace','metadata':{'name':'shop','labels':{'kubernetes.io/metadata.name':'shop'}}},
  ev('web-7c9.timeout','ReplicaSet','web-7c9d5b8f4','FailedCreate',TIMEOUT,'2025-03-14T09:10:00Z','2025-03-14T09:50:00Z',count=6,ns='shop',comp='replicaset-controller')])

# recent-config-change near miss: Calico's own data written minutes ago is not configuration
w('recent-config-change/miss-calico-data','cluster.yaml',[NSOBJ, deployment(), replicaset(), node('10.240.0.4'), pod(),
  {'apiVersion':'crd.projectcalico.org/v1','kind':'IPAMBlock','metadata':{'name':'172-30-12-0-26','creationTimestamp':'2025-03-14T09:40:00Z',
    'managedFields':[{'manager':'calico','operation':'Update','apiVersion':'crd.projectcalico.org/v1','time':'2025-03-14T09:58:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:allocations':{}}}}]},
   'spec':{'cidr':'172.30.12.0/26','affinity':'host:10.240.0.4','allocations':[0,None]}},
  {'apiVersion':'crd.projectcalico.org/v1','kind':'BlockAffinity','metadata':{'name':'10.240.0.4-172-30-12-0-26','creationTimestamp':'2025-03-14T09:40:00Z'},'spec':{'cidr':'172.30.12.0/26','node':'10.240.0.4','state':'confirmed'}},
  {'apiVersion':'crd.projectcalico.org/v1','kind':'HostEndpoint','metadata':{'name':'10.240.0.4-auto-hep','creationTimestamp':'2025-03-14T09:40:00Z'},'spec':{'node':'10.240.0.4','interfaceName':'*'}}])

# log-error-signature: failed probes report the same causes (no log in the input)
probe = ev(POD+'.unhealthy','Pod',POD,'Unhealthy','Readiness probe failed: Error verifying datastore: Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded','2025-03-14T09:20:00Z','2025-03-14T09:58:30Z',count=77,uid=POD_UID)
probe['involvedObject']['fieldPath']='spec.containers{calico-kube-controllers}'
w('log-error-signature/fire-probe','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(ready=False, created='2025-03-14T09:00:00Z'), probe,
  ev(POD+'.old-unhealthy','Pod',POD,'Unhealthy','Readiness probe failed: Error reaching apiserver: <nil> with http status code: 500','2025-03-14T08:00:00Z','2025-03-14T08:30:00Z',count=5,uid='99999999-0000-0000-0000-000000000000')])

# recent-cluster-update: calico-node redeployed by the operator 3h ago (a master update)
CALICO_NODE={'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'calico-node','namespace':NS,'creationTimestamp':'2025-01-10T08:05:00Z',
  'managedFields':[{'manager':'operator','operation':'Update','apiVersion':'apps/v1','time':'2025-03-14T06:58:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:template':{'f:spec':{'f:containers':{}}}}}},
                   {'manager':'kube-controller-manager','operation':'Update','apiVersion':'apps/v1','time':'2025-03-14T09:50:00Z','subresource':'status','fieldsType':'FieldsV1','fieldsV1':{'f:status':{'f:numberReady':{}}}}]},
  'spec':{'selector':{'matchLabels':{'k8s-app':'calico-node'}}},'status':{'desiredNumberScheduled':3,'numberReady':3}}
w('recent-cluster-update/fire-calico-redeployed','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), CALICO_NODE])

# ---------------- quota-exceeded
QUOTA={'apiVersion':'v1','kind':'ResourceQuota','metadata':{'name':'compute','namespace':NS},
       'spec':{'hard':{'pods':'4'}},'status':{'hard':{'pods':'4'},'used':{'pods':'4'}}}
QMSG='Error creating: pods "calico-kube-controllers-6f8c9d7b5-9xk2p" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4'
w('quota-exceeded/fire','cluster.yaml',[NSOBJ, node('10.240.0.4'), deployment(ready=0), replicaset(), QUOTA,
  ev('cc.quota1','ReplicaSet',RS,'FailedCreate',QMSG,'2025-03-14T09:00:00Z','2025-03-14T09:58:00Z',count=14,uid=RS_UID,comp='replicaset-controller')])
LR={'apiVersion':'v1','kind':'LimitRange','metadata':{'name':'mem-max','namespace':'apps'},
    'spec':{'limits':[{'type':'Container','max':{'memory':'1Gi'}}]}}
LMSG='Error creating: pods "web-7d9f8c6b5-h2x9q" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi'
w('quota-exceeded/fire-limit-range','cluster.yaml',[NSOBJ, node('10.240.0.4'), LR,
  ev('web.lr1','ReplicaSet','web-7d9f8c6b5','FailedCreate',LMSG,'2025-03-14T09:30:00Z','2025-03-14T09:57:00Z',count=6,ns='apps',comp='replicaset-controller')])
# The quota refused pods two weeks ago; the workload runs now.
w('quota-exceeded/miss-old','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), QUOTA,
  ev('cc.quota-old','ReplicaSet',RS,'FailedCreate',QMSG,'2025-03-01T09:00:00Z','2025-03-01T09:10:00Z',count=3,uid=RS_UID,comp='replicaset-controller')])

# ---------------- service-no-endpoints
GKSEL=dict(SVC, spec={'selector':{'control-plane':'controller-manager'},'ports':[{'port':443,'targetPort':8443}]})
GKSEL['metadata']={'name':'gatekeeper-webhook-service','namespace':'gatekeeper-system','creationTimestamp':'2025-01-10T08:00:00Z'}
def gkpod(ready):
    return {'apiVersion':'v1','kind':'Pod','metadata':{'name':'gatekeeper-controller-manager-5b96d8b5d-k2p9w','namespace':'gatekeeper-system','uid':'gk-pod-1',
            'creationTimestamp':'2025-03-14T08:00:00Z','labels':{'control-plane':'controller-manager'}},
            'spec':{'nodeName':'10.240.0.4','containers':[{'name':'manager','image':'openpolicyagent/gatekeeper:v3.17.1'}]},
            'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True' if ready else 'False'}],
                      'containerStatuses':[{'name':'manager','image':'openpolicyagent/gatekeeper:v3.17.1','ready':ready,'restartCount':0,'state':{'running':{'startedAt':'2025-03-14T08:00:10Z'}}}]}}
w('service-no-endpoints/fire','cluster.yaml',[NSOBJ, node('10.240.0.4'), deployment(ready=0), replicaset(), GK, GKSEL, EPS, gkpod(False),
  new_ev('cc.gk1', 'ReplicaSet', RS, 'FailedCreate', FAIL, '2025-03-14T09:20:00.000000Z', '2025-03-14T09:59:10Z', 9, uid=RS_UID)])
# Only the API server's message shows the Service; the namespace comes from the webhook URL.
w('service-no-endpoints/fire-events-only','cluster.yaml',[
  ev('cc.gk2','ReplicaSet',RS,'FailedCreate',FAIL,'2025-03-14T09:20:00Z','2025-03-14T09:59:10Z',count=9,comp='replicaset-controller')])
EPS_OK={'apiVersion':'v1','kind':'Endpoints','metadata':{'name':'gatekeeper-webhook-service','namespace':'gatekeeper-system'},'subsets':[{'addresses':[{'ip':'172.30.12.9'}],'ports':[{'port':8443}]}]}
w('service-no-endpoints/miss-ready','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), GK, GKSEL, EPS_OK, gkpod(True)])
# A Service whose endpoints the input does not hold: unknown, not empty.
w('service-no-endpoints/miss-endpoints-not-collected','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), GK, GKSEL, gkpod(True)])

# ---------------- pvc-pending
def pvc(name, ns, phase, cls=None, created='2025-03-14T07:50:00Z'):
    p={'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':name,'namespace':ns,'uid':'pvc-'+name,'creationTimestamp':created},
       'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'10Gi'}}},'status':{'phase':phase}}
    if cls: p['spec']['storageClassName']=cls
    return p
def pvcpod(claim, phase='Pending'):
    return {'apiVersion':'v1','kind':'Pod','metadata':{'name':'prometheus-0','namespace':'monitoring','uid':'prom-0','creationTimestamp':'2025-03-14T07:50:00Z','labels':{'app':'prometheus'}},
            'spec':{'containers':[{'name':'prometheus','image':'quay.io/prometheus/prometheus:v2.53.0'}],'volumes':[{'name':'data','persistentVolumeClaim':{'claimName':claim}}]},
            'status':{'phase':phase,'conditions':[{'type':'PodScheduled','status':'False','reason':'Unschedulable','message':'0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.'}]}}
w('pvc-pending/fire','cluster.yaml',[node('10.240.0.4'), pvc('data-prometheus-0','monitoring','Pending','fast-ssd'), pvcpod('data-prometheus-0'),
  ev('data.prov1','PersistentVolumeClaim','data-prometheus-0','ProvisioningFailed','storageclass.storage.k8s.io "fast-ssd" not found','2025-03-14T07:50:05Z','2025-03-14T09:58:00Z',count=31,ns='monitoring',uid='pvc-data-prometheus-0',comp='persistentvolume-controller'),
  ev('prom.sched1','Pod','prometheus-0','FailedScheduling','0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.','2025-03-14T07:50:01Z','2025-03-14T09:55:00Z',count=26,ns='monitoring',uid='prom-0',comp='default-scheduler')])
# Only the scheduler's events show it: the claim is not in the input.
w('pvc-pending/fire-scheduler-only','cluster.yaml',[
  ev('prom.sched1','Pod','prometheus-0','FailedScheduling','0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.','2025-03-14T07:50:01Z','2025-03-14T09:55:00Z',count=26,ns='monitoring',comp='default-scheduler')])
# WaitForFirstConsumer with no pod using the claim yet: normal.
w('pvc-pending/miss-wait-for-first-consumer','cluster.yaml',[node('10.240.0.4'), pvc('scratch','monitoring','Pending','ibmc-vpc-block-10iops-tier'),
  ev('scratch.wffc','PersistentVolumeClaim','scratch','WaitForFirstConsumer','waiting for first consumer to be created before binding','2025-03-14T07:50:05Z','2025-03-14T09:58:00Z',count=40,typ='Normal',ns='monitoring',uid='pvc-scratch',comp='persistentvolume-controller'),
  pvc('data-prometheus-0','monitoring','Bound','fast-ssd')])

# ---------------- job-failed
def job(name, conds, ns='kube-system', uid=None):
    return {'apiVersion':'batch/v1','kind':'Job','metadata':{'name':name,'namespace':ns,'uid':uid or ('job-'+name),'creationTimestamp':'2025-03-14T06:00:00Z'},
            'spec':{'backoffLimit':2,'template':{'spec':{'restartPolicy':'Never','containers':[{'name':'rotate','image':'registry.example.com/rotate:1.0'}]}}},
            'status':{'conditions':conds,'failed':3}}
def jobpod(jobname, suffix, created, exit_code, ns='kube-system'):
    return {'apiVersion':'v1','kind':'Pod','metadata':{'name':jobname+'-'+suffix,'namespace':ns,'uid':'jp-'+suffix,'creationTimestamp':created,
            'labels':{'batch.kubernetes.io/job-name':jobname,'job-name':jobname},
            'ownerReferences':[{'apiVersion':'batch/v1','kind':'Job','name':jobname,'uid':'job-'+jobname,'controller':True}]},
            'spec':{'nodeName':'10.240.0.4','restartPolicy':'Never','containers':[{'name':'rotate','image':'registry.example.com/rotate:1.0'}]},
            'status':{'phase':'Failed','containerStatuses':[{'name':'rotate','image':'registry.example.com/rotate:1.0','ready':False,'restartCount':0,
                      'state':{'terminated':{'reason':'Error','exitCode':exit_code,'startedAt':created,'finishedAt':created}}}]}}
FAILED=[{'type':'FailureTarget','status':'True','reason':'BackoffLimitExceeded','message':'Job has reached the specified backoff limit','lastTransitionTime':'2025-03-14T06:40:00Z'},
        {'type':'Failed','status':'True','reason':'BackoffLimitExceeded','message':'Job has reached the specified backoff limit','lastTransitionTime':'2025-03-14T06:40:00Z'}]
w('job-failed/fire','cluster.yaml',[node('10.240.0.4'), job('cert-rotate-28901234', FAILED),
  jobpod('cert-rotate-28901234','a1b2c','2025-03-14T06:00:00Z',2), jobpod('cert-rotate-28901234','x7k2p','2025-03-14T06:30:00Z',1),
  ev('cr.backoff','Job','cert-rotate-28901234','BackoffLimitExceeded','Job has reached the specified backoff limit','2025-03-14T06:40:00Z','2025-03-14T06:40:00Z',ns='kube-system',comp='job-controller')])
w('job-failed/fire-events-only','cluster.yaml',[
  ev('mig.deadline','Job','db-migrate','DeadlineExceeded','Job was active longer than specified deadline','2025-03-14T09:00:00Z','2025-03-14T09:00:00Z',ns='apps',comp='job-controller')])
# Failed pods, then a pod succeeded: the Job is Complete.
w('job-failed/miss-complete','cluster.yaml',[node('10.240.0.4'),
  job('cert-rotate-28901234',[{'type':'Complete','status':'True','lastTransitionTime':'2025-03-14T06:40:00Z'}]),
  jobpod('cert-rotate-28901234','a1b2c','2025-03-14T06:00:00Z',2),
  ev('cr.backoff-old','Job','cert-rotate-28901234','BackoffLimitExceeded','Job has reached the specified backoff limit','2025-03-14T06:20:00Z','2025-03-14T06:20:00Z',ns='kube-system',comp='job-controller')])

# ---------------- drain-blocked
def webpod(name, node_name):
    return {'apiVersion':'v1','kind':'Pod','metadata':{'name':name,'namespace':'shop','uid':'web-'+name,'creationTimestamp':'2025-03-10T08:00:00Z','labels':{'app':'web'}},
            'spec':{'nodeName':node_name,'containers':[{'name':'web','image':'nginx:1.27'}]},
            'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],
                      'containerStatuses':[{'name':'web','image':'nginx:1.27','ready':True,'restartCount':0,'state':{'running':{'startedAt':'2025-03-10T08:00:10Z'}}}]}}
def pdb(allowed, selector=None):
    return {'apiVersion':'policy/v1','kind':'PodDisruptionBudget','metadata':{'name':'web','namespace':'shop'},
            'spec':{'minAvailable':2,'selector':selector or {'matchLabels':{'app':'web'}}},
            'status':{'currentHealthy':2,'desiredHealthy':2,'disruptionsAllowed':allowed,'expectedPods':2}}
w('drain-blocked/fire','cluster.yaml',[node('10.240.0.5', unschedulable=True), node('10.240.0.6'), pdb(0),
  webpod('web-7d9f8c6b5-abcde','10.240.0.5'), webpod('web-7d9f8c6b5-fghij','10.240.0.6')])
w('drain-blocked/fire-events','cluster.yaml',[
  ev('web.evict','Pod','web-7d9f8c6b5-abcde','EvictionFailed',"Cannot evict pod as it would violate the pod's disruption budget.",'2025-03-14T09:30:00Z','2025-03-14T09:58:00Z',count=12,ns='shop',comp='cluster-autoscaler')])
# The budget allows a disruption: the drain goes on.
w('drain-blocked/miss-allowed','cluster.yaml',[node('10.240.0.5', unschedulable=True), node('10.240.0.6'), pdb(1),
  webpod('web-7d9f8c6b5-abcde','10.240.0.5'), webpod('web-7d9f8c6b5-fghij','10.240.0.6')])
# No node is cordoned: a budget at 0 is not blocking anything.
w('drain-blocked/miss-not-cordoned','cluster.yaml',[node('10.240.0.5'), node('10.240.0.6'), pdb(0),
  webpod('web-7d9f8c6b5-abcde','10.240.0.5'), webpod('web-7d9f8c6b5-fghij','10.240.0.6')])
# A plain Service whose selector matches none of its namespace's pods (a typo in the selector).
def websvc(sel):
    return {'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'shop','creationTimestamp':'2025-03-01T00:00:00Z'},'spec':{'selector':sel,'ports':[{'port':80}]}}
WEB_EPS={'apiVersion':'v1','kind':'Endpoints','metadata':{'name':'web','namespace':'shop'}}
w('service-no-endpoints/fire-selector-matches-nothing','cluster.yaml',[node('10.240.0.6'), websvc({'app':'wbe'}), WEB_EPS, webpod('web-7d9f8c6b5-fghij','10.240.0.6')])
# A plain Service whose pods are there but not ready: their own rules report them.
NOTREADY=webpod('web-7d9f8c6b5-fghij','10.240.0.6'); NOTREADY['status']['conditions']=[{'type':'Ready','status':'False'}]; NOTREADY['status']['containerStatuses'][0]['ready']=False
w('service-no-endpoints/miss-pods-not-ready','cluster.yaml',[node('10.240.0.6'), websvc({'app':'web'}), WEB_EPS, NOTREADY])

# ---------------- issue 14, part A: Calico and pod/node health rules
CN_POD='calico-node-kwvrq'
CN_UID='7e0c2b8d-1f3a-4c5e-9d7b-2a4c6e8f0a12'
CN_IMG='icr.io/ext/calico/node:v3.28.2'
def calico_node_pod(ready=True, cond_ready='True', name=CN_POD, uid=CN_UID):
    return {'apiVersion':'v1','kind':'Pod','metadata':{'name':name,'namespace':NS,'uid':uid,'creationTimestamp':'2025-03-10T08:00:00Z',
              'labels':{'k8s-app':'calico-node'},'ownerReferences':[{'apiVersion':'apps/v1','kind':'DaemonSet','name':'calico-node','uid':'ds-calico-node','controller':True}]},
            'spec':{'nodeName':'10.240.0.4','containers':[{'name':'calico-node','image':CN_IMG}]},
            'status':{'phase':'Running','conditions':[{'type':'Ready','status':cond_ready,'lastTransitionTime':'2025-03-14T09:20:00Z'}],
              'containerStatuses':[{'name':'calico-node','image':CN_IMG,'ready':ready,'restartCount':0,'state':{'running':{'startedAt':'2025-03-10T08:00:30Z'}}}]}}
crashing=lambda: pod(restarts=9, ready=False, state={'waiting':{'reason':'CrashLoopBackOff','message':'back-off 5m0s restarting failed container'}},
                     last={'terminated':{'exitCode':1,'reason':'Error','startedAt':'2025-03-14T09:54:00Z','finishedAt':'2025-03-14T09:54:10Z'}})

# apiserver-unreachable: kube-controllers times out on 172.21.0.1:443 (log) and its probe says so (event)
API_LOG='''2025-03-14 09:54:00.120 [INFO][1] main.go 99: Loaded configuration from environment config=&config.Config{LogLevel:"info"}
2025-03-14 09:54:10.121 [ERROR][1] client.go 272: Error getting cluster information config ClusterInformation="default" error=Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded
2025-03-14 09:54:10.121 [FATAL][1] main.go 114: Failed to initialize Calico datastore error=Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded
'''
w('apiserver-unreachable/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), crashing(),
  ev(POD+'.unhealthy','Pod',POD,'Unhealthy','Readiness probe failed: Error initializing datastore: Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": dial tcp 172.21.0.1:443: i/o timeout','2025-03-14T09:30:00Z','2025-03-14T09:54:05Z',count=7,uid=POD_UID)])
w('apiserver-unreachable/fire',f'logs/{NS}/{POD}/{DEP}.previous.log',API_LOG)
# near miss: the API server answers, with Unauthorized (a token problem, not the network path)
w('apiserver-unreachable/miss-unauthorized','cluster.yaml',healthy_base()+[node('10.240.0.4'), crashing()])
w('apiserver-unreachable/miss-unauthorized',f'logs/{NS}/{POD}/{DEP}.previous.log','''2025-03-14 09:54:10.121 [ERROR][1] client.go 272: Error getting cluster information config ClusterInformation="default" error=connection is unauthorized: Unauthorized
2025-03-14 09:54:10.121 [FATAL][1] main.go 118: Failed to initialize Calico datastore error=connection is unauthorized: Unauthorized
''')

# ipam-exhausted: the new pod gets no address; kube-controllers garbage-collects leaked ones
IPAM='Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9f3c1d2e4b5a6978": plugin type="calico" failed (add): Unable to autoassign an address - pools are likely exhausted'
LEAK_LOG='''2025-03-14 09:40:00.000 [INFO][1] ipam.go 1018: Candidate IP leak handle="k8s-pod-network.0f1e2d3c" ip="172.30.44.7" node="10.240.0.9" pod="default/web-7d9c-abcde"
2025-03-14 09:55:00.000 [WARNING][1] ipam.go 1110: Confirmed IP leak handle="k8s-pod-network.0f1e2d3c" ip="172.30.44.7" node="10.240.0.9" pod="default/web-7d9c-abcde"
2025-03-14 09:55:00.001 [INFO][1] ipam.go 1188: Garbage collecting leaked IP address handle="k8s-pod-network.0f1e2d3c" ip="172.30.44.7"
'''
OTHER='calico-kube-controllers-6f8c9d7b5-old01'
w('ipam-exhausted/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(phase='Pending', ready=False, created='2025-03-14T09:00:00Z', state={'waiting':{'reason':'ContainerCreating'}}),
  ev(POD+'.ipam','Pod',POD,'FailedCreatePodSandBox',IPAM,'2025-03-14T09:00:30Z','2025-03-14T09:58:00Z',count=12,uid=POD_UID)])
w('ipam-exhausted/fire',f'logs/{NS}/{OTHER}/{DEP}.log',LEAK_LOG)
# near miss: leak lines alone, the garbage collection at work
w('ipam-exhausted/miss-leaks-only','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod()])
w('ipam-exhausted/miss-leaks-only',f'logs/{NS}/{POD}/{DEP}.log',LEAK_LOG)

# calico-node-not-ready: BGP not established, the readiness probe says so
BGP='Readiness probe failed: calico/node is not ready: BIRD is not ready: BGP not established with 10.240.0.5'
w('calico-node-not-ready/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), calico_node_pod(ready=False, cond_ready='False'),
  ev(CN_POD+'.unhealthy','Pod',CN_POD,'Unhealthy',BGP,'2025-03-14T09:20:00Z','2025-03-14T09:59:00Z',count=6,uid=CN_UID)])
# felix cannot reach Typha (log only), the pod not ready
w('calico-node-not-ready/fire-typha','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), calico_node_pod(ready=False, cond_ready='False')])
w('calico-node-not-ready/fire-typha',f'logs/{NS}/{CN_POD}/calico-node.log','''2025-03-14 09:50:00.000 [INFO][63] felix/daemon.go 379: Connecting to Typha. addr="10.240.0.6:5473"
2025-03-14 09:50:10.001 [ERROR][63] felix/daemon.go 381: Failed to connect to Typha. Retrying... error=dial tcp 10.240.0.6:5473: i/o timeout
2025-03-14 09:59:10.001 [ERROR][63] felix/daemon.go 381: Failed to connect to Typha. Retrying... error=dial tcp 10.240.0.6:5473: i/o timeout
''')
# near miss: ready now, the BGP failure two days old
w('calico-node-not-ready/miss-recovered','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), calico_node_pod(),
  ev(CN_POD+'.unhealthy','Pod',CN_POD,'Unhealthy',BGP,'2025-03-12T09:20:00Z','2025-03-12T09:22:00Z',count=2,uid=CN_UID)])

# probe-failure: liveness fails repeatedly and kills the container
w('probe-failure/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), crashing(),
  ev(POD+'.live','Pod',POD,'Unhealthy','Liveness probe failed: command "/usr/bin/check-status -l" timed out','2025-03-14T09:20:00Z','2025-03-14T09:53:40Z',count=6,uid=POD_UID),
  ev(POD+'.kill','Pod',POD,'Killing','Container calico-kube-controllers failed liveness probe, will be restarted','2025-03-14T09:21:00Z','2025-03-14T09:53:40Z',count=2,uid=POD_UID,typ='Normal')])
# near miss: one readiness blip, recovered (the pod Ready since)
w('probe-failure/miss-blip','cluster.yaml',healthy_base()+[node('10.240.0.4'),
  pod(conds=[{'type':'Ready','status':'True','lastTransitionTime':'2025-03-14T09:31:00Z'}]),
  ev(POD+'.ready','Pod',POD,'Unhealthy','Readiness probe failed: Error verifying datastore: etcdserver: request timed out','2025-03-14T09:30:00Z','2025-03-14T09:30:00Z',count=1,uid=POD_UID),
  ev(POD+'.err','Pod',POD,'Unhealthy','Liveness probe errored: rpc error: code = Unknown desc = failed to exec in container: container is in CONTAINER_EXITED state','2025-03-14T09:30:00Z','2025-03-14T09:30:00Z',count=4,uid=POD_UID)])

# node-pressure: another node under disk pressure, tainted
press=node('10.240.0.7', extra_conds=[{'type':'DiskPressure','status':'True','reason':'KubeletHasDiskPressure','message':'kubelet has disk pressure','lastTransitionTime':'2025-03-14T08:00:00Z'}])
press['spec']['taints']=[{'key':'node.kubernetes.io/disk-pressure','effect':'NoSchedule','timeAdded':'2025-03-14T08:00:05Z'}]
w('node-pressure/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), press, pod(),
  ev('10.240.0.7.gc','Node','10.240.0.7','FreeDiskSpaceFailed','Failed to garbage collect required amount of images. Attempted to free 4182355968 bytes, but only found 0 bytes eligible to free.','2025-03-14T08:00:00Z','2025-03-14T09:55:00Z',count=24,ns=None,uid='node-10.240.0.7')])
# near miss: the pressure is over (False), its events from last week
w('node-pressure/miss-relieved','cluster.yaml',healthy_base()+[node('10.240.0.4'), node('10.240.0.7'), pod(),
  ev('10.240.0.7.dp','Node','10.240.0.7','NodeHasDiskPressure','Node 10.240.0.7 status is now: NodeHasDiskPressure','2025-03-07T08:00:00Z','2025-03-07T08:00:00Z',ns=None,uid='node-10.240.0.7',typ='Normal')])

# pod-evicted: the old kube-controllers pod was evicted at memory pressure an hour ago
EVICT='The node was low on resource: memory. Container calico-kube-controllers was using 1275700Ki, which exceeds its request of 64Mi. '
def evicted(when):
    p=pod(name=OTHER, uid='0a1b2c3d-evicted', phase='Failed', ready=False, reason='Evicted', message=EVICT, created='2025-03-01T06:00:00Z',
          state={'terminated':{'exitCode':137,'reason':'ContainerStatusUnknown','startedAt':'2025-03-01T06:00:30Z','finishedAt':when}},
          conds=[{'type':'Ready','status':'False','reason':'PodFailed','lastTransitionTime':when}])
    return p
w('pod-evicted/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), evicted('2025-03-14T09:00:00Z'),
  ev(OTHER+'.evicted','Pod',OTHER,'Evicted',EVICT,'2025-03-14T09:00:00Z','2025-03-14T09:00:00Z',uid='0a1b2c3d-evicted')])
# near miss: evicted 40 days ago, the object left behind
w('pod-evicted/miss-40-days-ago','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), evicted('2025-02-02T09:00:00Z')])

# certificate-expired: webhook caBundles (certs/README.md), and the x509 error in an event
import base64
def cert(name):
    return base64.b64encode(open(os.path.join(ROOT,'certificate-expired','certs',name),'rb').read()).decode()
def with_ca(cfg, name):
    import copy
    c=copy.deepcopy(cfg); c['webhooks'][0]['clientConfig']['caBundle']=cert(name); return c
X509='Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2025-03-14T09:58:00Z is after 2025-03-01T00:00:00Z'
w('certificate-expired/fire','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), with_ca(GK,'expired.pem'),
  ev('cc.x509','ReplicaSet',RS,'FailedCreate',X509,'2025-03-14T09:20:00Z','2025-03-14T09:58:00Z',count=5,uid=RS_UID,comp='replicaset-controller')])
def two_webhooks(cfg):
    import copy
    c=copy.deepcopy(cfg); second=copy.deepcopy(c['webhooks'][0]); second['name']='deny-unpinned.policy.example.com'; c['webhooks'].append(second); return c
# two webhooks sharing one expiring bundle: one finding naming both
w('certificate-expired/fire-expiring','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), two_webhooks(with_ca(VWC,'expiring.pem'))])
w('certificate-expired/miss-valid','cluster.yaml',healthy_base()+[node('10.240.0.4'), pod(), with_ca(VWC,'valid.pem')])
