"""Tests of the emulator's standby-compute extensions: Auto Scaling groups and ECS services
whose capacity takes time (capacity_seconds), AWS's Auto Scaling ValidationErrors, the
insufficient-capacity switch, the CapacityInService call-log entries, the topology's compute
option, SSM parameters per region, and the Aurora behaviour next to all of it.

Run: python3 -m pytest -q emulator/tests
The module starts its own emulator (with --capacity-seconds 2.5, which the tests lower).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from test_emulator import (EMULATOR_DIR, PY, client, http_json, post_before, start_emulator,  # noqa: E402
                           start_server, stop_server, topology, writer_arn)

CAP = 1.0  # capacity_seconds during the tests (the default): every wait below is real
WEST, EAST = "us-west-1", "us-east-1"


class Emu(str):
    """The emulator's URL, plus the health it answered at start-up."""
    startup_health: dict


@pytest.fixture(scope="module")
def emu(request) -> Emu:
    url = Emu(start_emulator(request, "--failover-seconds", "1", "--capacity-seconds", "2.5"))
    url.startup_health = http_json(url + "/_switchyard/health")
    return url


@pytest.fixture(autouse=True)
def fresh(request) -> None:
    post_before(request, "emu", ("/moto-api/reset", None), ("/_switchyard/capacity", {"clear": True}),
                ("/_switchyard/reset-calls", None),
                ("/_switchyard/config", {"failover_seconds": 1, "capacity_seconds": CAP}))


# --------------------------------------------------------------------------- helpers

def control(url: str, path: str, body: dict | None = None, method: str | None = None):
    return http_json(f"{url}/_switchyard/{path}", method or ("POST" if body is not None else "GET"), body)


def control_error(url: str, path: str, body) -> tuple[int, dict]:
    try:
        http_json(f"{url}/_switchyard/{path}", "POST", body)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
    pytest.fail(f"POST /_switchyard/{path} {body!r} was accepted")


def calls(url: str, query: str = "") -> dict:
    return control(url, "calls" + (f"?{query}" if query else ""))


def wait_for(predicate, timeout: float = 6.0, interval: float = 0.03):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(interval)


def amazon_linux_ami(url: str, region: str) -> str:
    images = client("ec2", url, region).describe_images(
        Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-*-x86_64-gp2"]}])["Images"]
    return sorted(images, key=lambda i: i["Name"])[-1]["ImageId"]


def make_group(url: str, name: str = "web-asg", region: str = WEST, min_size: int = 1, desired: int = 1,
               max_size: int = 8, settle: bool = False) -> None:
    ec2 = client("ec2", url, region)
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{name}-lt",
        LaunchTemplateData={"ImageId": amazon_linux_ami(url, region), "InstanceType": "t3.micro"})["LaunchTemplate"]
    client("autoscaling", url, region).create_auto_scaling_group(
        AutoScalingGroupName=name, MinSize=min_size, DesiredCapacity=desired, MaxSize=max_size,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "$Latest"},
        AvailabilityZones=[f"{region}a"])
    if settle:
        control(url, "complete-capacity", {"region": region, "group": name})


def group(url: str, name: str = "web-asg", region: str = WEST) -> dict:
    return client("autoscaling", url, region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def lifecycle(g: dict) -> list[str]:
    return sorted(i["LifecycleState"] for i in g["Instances"])


def make_service(url: str, cluster: str = "web", name: str = "unishop", region: str = WEST, desired: int = 1,
                 settle: bool = False) -> dict:
    ecs = client("ecs", url, region)
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family=name, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "web", "image": "nginx", "essential": True}])
    created = ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=name, desiredCount=desired,
                                 launchType="FARGATE")["service"]
    if settle:
        control(url, "complete-capacity", {"region": region, "cluster": cluster, "service": name})
    return created


def service(url: str, cluster: str = "web", name: str = "unishop", region: str = WEST) -> dict:
    return client("ecs", url, region).describe_services(cluster=cluster, services=[name])["services"][0]


def counts(s: dict) -> tuple[int, int, int]:
    return s["desiredCount"], s["runningCount"], s["pendingCount"]


def validation_error(call) -> ClientError:
    with pytest.raises(ClientError) as err:
        call()
    error = err.value.response["Error"]
    assert error["Code"] == "ValidationError" and error["Type"] == "Sender"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err.value


# --------------------------------------------------------------------------- configuration

def timing(config: dict) -> dict:
    """The two settings this module is about (the config holds other modules' keys too)."""
    return {k: config[k] for k in ("failover_seconds", "capacity_seconds")}


def test_capacity_seconds_cli_flag_and_runtime_config(emu):
    assert timing(emu.startup_health["config"]) == {"failover_seconds": 1.0, "capacity_seconds": 2.5}
    assert timing(control(emu, "config", {"capacity_seconds": 0.25})) == {"failover_seconds": 1.0,
                                                                          "capacity_seconds": 0.25}
    for bad in ({"capacity_seconds": -1}, {"capacity_seconds": 3601}, {"capacity_seconds": "soon"},
                {"capacity_seconds": True}, {"capacity_seconds": None}, {"capacity": 1},
                {"capacity_seconds": 1, "failover_seconds": -1}):
        status, body = control_error(emu, "config", bad)
        assert status == 400 and body["error"]
    assert timing(control(emu, "config")) == {"failover_seconds": 1.0, "capacity_seconds": 0.25}  # nothing half-applied
    assert control(emu, "health")["config"]["capacity_seconds"] == 0.25


# --------------------------------------------------------------------------- Auto Scaling

def test_asg_instances_pending_then_in_service(emu):
    asg = client("autoscaling", emu, WEST)
    started = time.monotonic()
    make_group(emu, desired=2)
    g = group(emu)
    assert g["DesiredCapacity"] == 2 and lifecycle(g) == ["Pending", "Pending"]
    assert {i["HealthStatus"] for i in g["Instances"]} == {"Healthy"}
    detail = asg.describe_auto_scaling_instances()["AutoScalingInstances"]
    assert sorted(d["LifecycleState"] for d in detail) == ["Pending", "Pending"]
    assert {d["HealthStatus"] for d in detail} == {"HEALTHY"}  # this API's spelling on AWS
    wait_for(lambda: lifecycle(group(emu)) == ["InService", "InService"])
    assert time.monotonic() - started >= CAP
    first = {i["InstanceId"] for i in group(emu)["Instances"]}

    # scale out: the new instances are Pending, the old ones stay InService
    started = time.monotonic()
    asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=4)
    g = group(emu)
    assert g["DesiredCapacity"] == 4 and lifecycle(g) == ["InService", "InService", "Pending", "Pending"]
    assert {i["InstanceId"] for i in g["Instances"] if i["LifecycleState"] == "InService"} == first
    # scale in while launching: the Pending instances go first, at once
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=2)
    g = group(emu)
    assert g["DesiredCapacity"] == 2 and {i["InstanceId"] for i in g["Instances"]} == first
    assert lifecycle(g) == ["InService", "InService"]
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=5)
    assert lifecycle(group(emu)).count("Pending") == 3
    wait_for(lambda: lifecycle(group(emu)) == ["InService"] * 5)
    assert time.monotonic() - started >= CAP
    asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=1)  # scale in is immediate
    assert lifecycle(group(emu)) == ["InService"]

    activities = asg.describe_scaling_activities(AutoScalingGroupName="web-asg")["Activities"]
    assert activities[0]["Description"].startswith("Terminating EC2 instance: i-")
    launches = [a for a in activities if a["Description"].startswith("Launching a new EC2 instance: ")]
    assert len(launches) == 7
    assert {a["StatusCode"] for a in launches} == {"Successful", "Cancelled"}
    assert sum(a["StatusCode"] == "Cancelled" for a in launches) == 2  # the two scaled in while Pending
    assert all(a["AutoScalingGroupARN"] == group(emu)["AutoScalingGroupARN"] for a in activities)


def test_asg_capacity_bounds_are_validated_like_aws(emu):
    asg = client("autoscaling", emu, WEST)
    make_group(emu, min_size=1, desired=1, max_size=8, settle=True)
    raw: list[bytes] = []
    asg.meta.events.register("after-call.autoscaling.SetDesiredCapacity",
                             lambda http_response, **_: raw.append(http_response.content))
    err = validation_error(lambda: asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=9))
    assert err.response["Error"]["Message"] == "New SetDesiredCapacity value 9 is above max value 8 for the AutoScalingGroup."
    assert b"<ErrorResponse" in raw[-1] and b"<Code>ValidationError</Code>" in raw[-1]
    err = validation_error(lambda: asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=0))
    assert err.response["Error"]["Message"] == "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup."
    err = validation_error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=9))
    assert err.response["Error"]["Message"] == "Desired capacity:9 must be between the specified min size:1 and max size:8"
    err = validation_error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MinSize=3,
                                                                 MaxSize=8, DesiredCapacity=2))
    assert err.response["Error"]["Message"] == "Desired capacity:2 must be between the specified min size:3 and max size:8"
    err = validation_error(lambda: asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MinSize=3, MaxSize=2))
    assert err.response["Error"]["Message"] == "Max bound, 2, must be greater than or equal to min bound, 3"
    err = validation_error(lambda: asg.set_desired_capacity(AutoScalingGroupName="ghost", DesiredCapacity=1))
    assert "ghost" in err.response["Error"]["Message"]  # moto answered HTTP 500 here
    g = group(emu)  # nothing changed
    assert (g["MinSize"], g["DesiredCapacity"], g["MaxSize"]) == (1, 1, 8) and lifecycle(g) == ["InService"]
    err = validation_error(lambda: make_group(emu, name="too-big", min_size=1, desired=9, max_size=8))
    assert err.response["Error"]["Message"] == "Desired capacity:9 must be between the specified min size:1 and max size:8"
    assert asg.describe_auto_scaling_groups(AutoScalingGroupNames=["too-big"])["AutoScalingGroups"] == []

    # AWS's implicit SetDesiredCapacity when only MinSize / MaxSize move past the desired capacity
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MinSize=3)
    g = group(emu)
    assert (g["MinSize"], g["DesiredCapacity"]) == (3, 3) and lifecycle(g).count("Pending") == 2
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MinSize=1, MaxSize=2)
    g = group(emu)
    assert (g["MinSize"], g["DesiredCapacity"], g["MaxSize"]) == (1, 2, 2) and len(g["Instances"]) == 2
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MaxSize=8)  # desired stays
    assert group(emu)["DesiredCapacity"] == 2


def test_asg_insufficient_capacity_switch(emu):
    asg = client("autoscaling", emu, WEST)
    make_group(emu, desired=1, settle=True)
    make_group(emu, name="east-asg", region=EAST, desired=1, settle=True)
    control(emu, "reset-calls", {})
    state = control(emu, "capacity", {"region": WEST, "group": "web-asg", "insufficient": True})
    assert state["switches"] == [{"region": WEST, "group": "web-asg", "insufficient": True}]
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", DesiredCapacity=3)
    client("autoscaling", emu, EAST).set_desired_capacity(AutoScalingGroupName="east-asg", DesiredCapacity=2)
    time.sleep(CAP + 0.2)
    g = group(emu)
    assert g["DesiredCapacity"] == 3 and lifecycle(g) == ["InService"]  # the capacity never arrives
    assert lifecycle(group(emu, "east-asg", EAST)) == ["InService", "InService"]  # other region unaffected
    failed = asg.describe_scaling_activities(AutoScalingGroupName="web-asg")["Activities"][0]
    assert failed["StatusCode"] == "Failed" and failed["Progress"] == 100
    assert "InsufficientInstanceCapacity" in failed["StatusMessage"]
    assert failed["StatusMessage"].endswith("Launching EC2 instance failed.")
    assert failed["Description"].startswith("Launching a new EC2 instance.  Status Reason: ")
    (tracked,) = [g for g in control(emu, "capacity")["auto_scaling_groups"] if g["AutoScalingGroupName"] == "web-asg"]
    assert tracked["Held"] and tracked["Insufficient"] and tracked["Waiting"]
    assert (tracked["InService"], tracked["Pending"], tracked["DesiredCapacity"]) == (1, 0, 3)
    entries = calls(emu, "operation=CapacityInService&region=us-west-1")
    assert entries["total"] == 0
    # complete-capacity cannot conjure held capacity
    assert control(emu, "complete-capacity", {"region": WEST, "group": "web-asg"}) == {"completed": 0}

    released = time.time()
    state = control(emu, "capacity", {"region": WEST, "group": "web-asg", "insufficient": False})
    assert state["switches"] == []
    assert lifecycle(group(emu)) == ["InService", "Pending", "Pending"]  # the retried launch succeeds
    wait_for(lambda: lifecycle(group(emu)) == ["InService"] * 3)
    (entry,) = wait_for(lambda: calls(emu, "operation=CapacityInService&region=us-west-1")["calls"])
    assert entry["params"] == {"AutoScalingGroupName": "web-asg", "DesiredCapacity": "3"}
    assert entry["epoch"] - released >= CAP - 0.05

    # a region-wide switch covers groups and ECS services of that region only; clear removes it
    control(emu, "capacity", {"region": WEST, "insufficient": True})
    make_service(emu, desired=1)
    asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=4)
    assert lifecycle(group(emu)) == ["InService"] * 3 and counts(service(emu)) == (1, 0, 0)
    control(emu, "capacity", {"clear": True})
    assert lifecycle(group(emu)).count("Pending") == 1 and counts(service(emu)) == (1, 0, 1)

    for bad in ({"group": "web-asg", "cluster": "web", "insufficient": True}, {"region": WEST},
                {"region": WEST, "insufficient": "yes"}, {"zone": "a", "insufficient": True},
                {"region": "", "insufficient": True}):
        status, body = control_error(emu, "capacity", bad)
        assert status == 400 and body["error"]
    status, _ = control_error(emu, "complete-capacity", {"zone": "a"})
    assert status == 400


# --------------------------------------------------------------------------- ECS

def test_ecs_running_count_follows_desired_count(emu):
    ecs = client("ecs", emu, WEST)
    started = time.monotonic()
    created = make_service(emu, desired=2)
    assert created["serviceArn"] == "arn:aws:ecs:us-west-1:123456789012:service/web/unishop"
    assert counts(created) == (2, 0, 2) and created["createdAt"]
    wait_for(lambda: counts(service(emu)) == (2, 2, 0))
    assert time.monotonic() - started >= CAP
    s = service(emu)
    assert s["events"][0]["message"] == "(service unishop) has reached a steady state."
    assert s["deployments"][0]["rolloutState"] == "COMPLETED"
    assert (s["deployments"][0]["runningCount"], s["deployments"][0]["desiredCount"]) == (2, 2)

    started = time.monotonic()
    updated = ecs.update_service(cluster="web", service="unishop", desiredCount=5)["service"]
    assert counts(updated) == (5, 2, 3)
    cluster = ecs.describe_clusters(clusters=["web"])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"], cluster["activeServicesCount"]) == (2, 3, 1)
    assert service(emu)["events"][0]["message"].startswith("(service unishop) has started 3 tasks: (task ")
    wait_for(lambda: counts(service(emu)) == (5, 5, 0))
    assert time.monotonic() - started >= CAP
    # scaling in is immediate; pending tasks are stopped before running ones
    ecs.update_service(cluster="web", service="unishop", desiredCount=7)
    assert counts(ecs.update_service(cluster="web", service="unishop", desiredCount=6)["service"]) == (6, 5, 1)
    assert counts(ecs.update_service(cluster="web", service="unishop", desiredCount=1)["service"]) == (1, 1, 0)
    cluster = ecs.describe_clusters(clusters=["web"])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"]) == (1, 0)
    # the service addressed by ARN works too; unknown services keep ECS's errors
    arn = created["serviceArn"]
    assert counts(ecs.update_service(cluster="web", service=arn, desiredCount=2)["service"]) == (2, 1, 1)
    with pytest.raises(ClientError) as err:
        ecs.update_service(cluster="web", service="ghost", desiredCount=2)
    assert err.value.response["Error"]["Code"] == "ServiceNotFoundException"
    with pytest.raises(ClientError) as err:
        ecs.update_service(cluster="web", service="unishop", desiredCount=-1)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert counts(service(emu)) == (2, 1, 1)


def test_ecs_insufficient_capacity_switch(emu):
    ecs = client("ecs", emu, WEST)
    make_service(emu, desired=1, settle=True)
    make_service(emu, cluster="east", region=EAST, desired=1, settle=True)
    control(emu, "reset-calls", {})
    control(emu, "capacity", {"region": WEST, "cluster": "web", "service": "unishop", "insufficient": True})
    assert counts(ecs.update_service(cluster="web", service="unishop", desiredCount=4)["service"]) == (4, 1, 0)
    client("ecs", emu, EAST).update_service(cluster="east", service="unishop", desiredCount=2)
    time.sleep(CAP + 0.2)
    s = service(emu)
    assert counts(s) == (4, 1, 0)  # the tasks never start
    assert s["events"][0]["message"].startswith("(service unishop) was unable to place a task.")
    assert counts(service(emu, "east", region=EAST)) == (2, 2, 0)
    (tracked,) = [t for t in control(emu, "capacity")["ecs_services"] if t["region"] == WEST]
    assert tracked["Held"] and tracked["Insufficient"] and tracked["Waiting"]
    released = time.time()
    control(emu, "capacity", {"region": WEST, "cluster": "web", "service": "unishop", "insufficient": False})
    assert counts(service(emu)) == (4, 1, 3)
    wait_for(lambda: counts(service(emu)) == (4, 4, 0))
    (entry,) = wait_for(lambda: calls(emu, "operation=CapacityInService&region=us-west-1")["calls"])
    assert entry["params"] == {"cluster": "web", "service": "unishop", "desiredCount": 4}
    assert entry["epoch"] - released >= CAP - 0.05


# --------------------------------------------------------------------------- call log

def test_call_log_params_and_capacity_in_service_entries(emu):
    make_group(emu, desired=1, settle=True)
    make_service(emu, desired=1, settle=True)
    control(emu, "reset-calls", {})
    asg, ecs = client("autoscaling", emu, WEST), client("ecs", emu, WEST)
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MinSize=1, MaxSize=6, DesiredCapacity=4)
    ecs.update_service(cluster="web", service="unishop", desiredCount=4)
    asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web-asg"])
    assert calls(emu, "operation=CapacityInService")["total"] == 0  # nothing arrived yet
    mutating = calls(emu, "mutating=true")
    assert mutating["counts"] == {"autoscaling:UpdateAutoScalingGroup": 1, "ecs:UpdateService": 1}
    update_group, update_service = mutating["calls"]
    assert update_group["params"] == {"AutoScalingGroupName": "web-asg", "MinSize": "1", "MaxSize": "6",
                                      "DesiredCapacity": "4"}
    assert update_service["params"] == {"cluster": "web", "service": "unishop", "desiredCount": 4}
    (read,) = calls(emu, "operation=DescribeAutoScalingGroups")["calls"]
    assert "params" not in read

    done = wait_for(lambda: (c := calls(emu, "operation=CapacityInService"))["total"] == 2 and c)
    assert done["counts"] == {"autoscaling:CapacityInService": 1, "ecs:CapacityInService": 1}
    by_service = {c["service"]: c for c in done["calls"]}
    g, s = by_service["autoscaling"], by_service["ecs"]
    for entry, request in ((g, update_group), (s, update_service)):
        assert entry["synthetic"] is True and entry["mutating"] is False and entry["status"] == 200
        assert entry["region"] == WEST and entry["method"] == "" and entry["time"]
        assert entry["epoch"] - request["epoch"] >= CAP - 0.05  # arrived capacity_seconds after the call
        assert entry["capacity"]["Forced"] is False and entry["capacity"]["DurationSeconds"] >= CAP - 0.05
    assert g["params"] == {"AutoScalingGroupName": "web-asg", "DesiredCapacity": "4"}
    assert g["capacity"]["Kind"] == "AutoScalingGroup" and g["capacity"]["InService"] == 4
    assert (g["capacity"]["MinSize"], g["capacity"]["DesiredCapacity"], g["capacity"]["MaxSize"]) == (1, 4, 6)
    assert g["capacity"]["AutoScalingGroupARN"] == group(emu)["AutoScalingGroupARN"]
    assert sorted(g["capacity"]["InstanceIds"]) == sorted(i["InstanceId"] for i in group(emu)["Instances"])
    assert s["params"] == {"cluster": "web", "service": "unishop", "desiredCount": 4}
    assert s["capacity"]["Kind"] == "ECSService" and s["capacity"]["runningCount"] == 4
    assert s["capacity"]["serviceArn"] == "arn:aws:ecs:us-west-1:123456789012:service/web/unishop"
    # filters: synthetic entries never count as mutating
    assert calls(emu, "mutating=true")["total"] == 2
    assert calls(emu, "synthetic=true")["total"] == 2
    assert "ecs:CapacityInService" not in calls(emu, "synthetic=false")["counts"]

    # "traffic moved only after capacity was in service", proven from the emulator side
    control(emu, "reset-calls", {})
    asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=6)
    wait_for(lambda: calls(emu, "operation=CapacityInService")["total"] == 1)
    client("route53", emu, EAST).create_hosted_zone(Name="shop.example.com", CallerReference="t1")
    log = sorted(calls(emu)["calls"], key=lambda c: c["epoch"])
    ops = [c["operation"] for c in log if c["operation"] != "DescribeAutoScalingGroups"]
    assert ops == ["SetDesiredCapacity", "CapacityInService", "CreateHostedZone"]

    # complete-capacity: Forced; a scale-in arrives at once
    control(emu, "reset-calls", {})
    ecs.update_service(cluster="web", service="unishop", desiredCount=8)
    assert control(emu, "complete-capacity", {"region": WEST, "cluster": "web"}) == {"completed": 4}
    asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=2)
    forced, scaled_in = calls(emu, "operation=CapacityInService")["calls"]
    assert forced["capacity"]["Forced"] is True and forced["capacity"]["runningCount"] == 8
    assert scaled_in["params"] == {"AutoScalingGroupName": "web-asg", "DesiredCapacity": "2"}


def test_no_capacity_entry_after_moto_reset(emu):
    make_group(emu, desired=2)
    make_service(emu, desired=2)
    http_json(emu + "/moto-api/reset", "POST")
    control(emu, "reset-calls", {})
    time.sleep(CAP + 0.2)  # the stale timers fire: the groups and services are gone, nothing is recorded
    client("autoscaling", emu, WEST).describe_auto_scaling_groups()
    assert calls(emu, "operation=CapacityInService")["total"] == 0
    assert control(emu, "capacity")["auto_scaling_groups"] == []


def test_fault_proxy_matches_autoscaling_and_ecs_params(emu, request):
    proc, port = start_server([os.path.join(EMULATOR_DIR, "fault_proxy.py"), "--upstream", emu, "--port", "0"])
    request.addfinalizer(lambda: stop_server(proc))
    proxy = f"http://127.0.0.1:{port}"
    make_group(emu, desired=1, settle=True)
    make_group(emu, name="other-asg", desired=1, settle=True)
    make_service(emu, desired=1, settle=True)
    http_json(proxy + "/_fault/rules", "POST", [
        {"action": "error", "error": "503", "service": "autoscaling", "operation": "SetDesiredCapacity",
         "params": {"AutoScalingGroupName": "web-asg"}, "count": 1},
        {"action": "drop", "service": "ecs", "operation": "UpdateService", "params": {"service": "unishop"},
         "when": "after", "count": 1}])
    asg = client("autoscaling", proxy, WEST)
    asg.set_desired_capacity(AutoScalingGroupName="other-asg", DesiredCapacity=2)  # not this group: passes
    with pytest.raises(ClientError) as err:
        asg.set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=2)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert group(emu)["DesiredCapacity"] == 1  # "before": never reached the emulator
    with pytest.raises(ConnectionClosedError):  # "after": the scale-up happened, its answer was lost
        client("ecs", proxy, WEST).update_service(cluster="web", service="unishop", desiredCount=3)
    assert counts(service(emu))[0] == 3
    stats = http_json(proxy + "/_fault/stats")["faults"]
    assert stats["target:us-west-1/autoscaling/error:503"] == 1 and stats["kind:drop"] == 1


# --------------------------------------------------------------------------- topology, SSM, RDS

def test_topology_compute_option(emu):
    app = topology.create_topology(emu, parts="aurora", compute=True)["apps"][0]
    compute = app["compute"]
    primary, standby = compute["primary"], compute["secondary"]
    assert primary["region"] == EAST and standby["region"] == WEST
    pg, sg = primary["auto_scaling_group"], standby["auto_scaling_group"]
    assert (pg["name"], pg["min_size"], pg["desired_capacity"], pg["max_size"]) == ("hot-primary-asg", 2, 4, 8)
    assert (sg["name"], sg["min_size"], sg["desired_capacity"], sg["max_size"]) == ("hot-secondary-asg", 1, 1, 8)
    g = group(emu, "hot-primary-asg", EAST)
    assert g["AutoScalingGroupARN"] == pg["arn"] and lifecycle(g) == ["InService"] * 4  # settled
    assert g["LaunchTemplate"]["LaunchTemplateId"] == pg["launch_template"]["id"]
    assert lifecycle(group(emu, "hot-secondary-asg", WEST)) == ["InService"]
    images = client("ec2", emu, WEST).describe_images(ImageIds=[sg["launch_template"]["image_id"]])["Images"]
    assert images and images[0]["Name"].startswith("amzn2-ami-hvm-")
    pe, se = primary["ecs"], standby["ecs"]
    assert pe["service_arn"] == "arn:aws:ecs:us-east-1:123456789012:service/hot-primary-cluster/hot-unishop"
    assert se["service_arn"] == "arn:aws:ecs:us-west-1:123456789012:service/hot-secondary-cluster/hot-unishop"
    assert se["cluster_arn"] == "arn:aws:ecs:us-west-1:123456789012:cluster/hot-secondary-cluster"
    assert counts(service(emu, "hot-primary-cluster", "hot-unishop", EAST)) == (4, 4, 0)
    assert counts(service(emu, "hot-secondary-cluster", "hot-unishop", WEST)) == (1, 1, 0)
    (target,) = client("application-autoscaling", emu, WEST).describe_scalable_targets(
        ServiceNamespace="ecs")["ScalableTargets"]
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == (se["scalable_target_resource_id"], 1, 8)
    assert "aurora" in app and writer_arn(client("rds", emu, EAST).describe_global_clusters(
        GlobalClusterIdentifier="hot-global")["GlobalClusters"][0]) == app["aurora"]["primary"]["arn"]

    # without the option nothing changes: no compute key, no groups, no clusters
    plain = topology.create_topology(emu, prefix="plain", parts="aurora")["apps"][0]
    assert "compute" not in plain
    assert [g["AutoScalingGroupName"] for g in client("autoscaling", emu, WEST).describe_auto_scaling_groups()[
        "AutoScalingGroups"]] == ["hot-secondary-asg"]

    # settle=False: the initial capacity is pending for capacity_seconds
    late = topology.create_topology(emu, prefix="late", parts="aurora", compute=True, settle=False,
                                    standby_capacity="1/2/8")["apps"][0]["compute"]["secondary"]
    assert lifecycle(group(emu, "late-secondary-asg", WEST)) == ["Pending", "Pending"]
    assert counts(service(emu, late["ecs"]["cluster_name"], "late-unishop", WEST)) == (2, 0, 2)
    with pytest.raises(ValueError):
        topology.create_topology(emu, prefix="bad", compute=True, standby_capacity="3/2/8")


def test_inspect_state_reads_groups_and_services(emu):
    control(emu, "config", {"capacity_seconds": 60})  # outlasts the subprocesses below
    topology.create_topology(emu, parts="aurora", compute=True, settle=False)
    base = [PY, os.path.join(EMULATOR_DIR, "inspect_state.py"), "--endpoint", emu]
    plain = json.loads(subprocess.run(base, capture_output=True, text=True, timeout=60, check=True).stdout)
    assert "auto_scaling_groups" not in plain and "ecs_services" not in plain  # output unchanged without options
    run = subprocess.run(base + ["--asg", "us-west-1:hot-secondary-asg", "--asg", "us-east-1:hot-primary-asg",
                                 "--ecs-service", "us-east-1:hot-primary-cluster/hot-unishop"],
                         capture_output=True, text=True, timeout=60, check=True)
    state = json.loads(run.stdout)
    assert state["auto_scaling_groups"]["hot-primary-asg"] == {
        "region": "us-east-1", "min_size": 2, "desired_capacity": 4, "max_size": 8, "in_service": 0, "pending": 4}
    assert state["auto_scaling_groups"]["hot-secondary-asg"]["pending"] == 1
    assert state["ecs_services"]["hot-primary-cluster/hot-unishop"] == {
        "region": "us-east-1", "arn": "arn:aws:ecs:us-east-1:123456789012:service/hot-primary-cluster/hot-unishop",
        "desired_count": 4, "running_count": 0, "pending_count": 4}


def test_topology_cli_standby_max_cannot_hold_the_load(emu, tmp_path):
    out = tmp_path / "topo.json"
    run = subprocess.run([PY, os.path.join(EMULATOR_DIR, "topology.py"), "--endpoint", emu, "--prefix", "low",
                          "--parts", "aurora", "--compute", "--standby-max", "2", "--output", str(out)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    standby = json.loads(out.read_text())["apps"][0]["compute"]["secondary"]
    assert standby["auto_scaling_group"]["max_size"] == 2 and standby["ecs"]["max_capacity"] == 2
    g = group(emu, "low-secondary-asg", WEST)
    assert (g["MinSize"], g["DesiredCapacity"], g["MaxSize"]) == (1, 1, 2)
    asg = client("autoscaling", emu, WEST)
    err = validation_error(lambda: asg.set_desired_capacity(AutoScalingGroupName="low-secondary-asg",
                                                            DesiredCapacity=4))
    assert err.response["Error"]["Message"] == "New SetDesiredCapacity value 4 is above max value 2 for the AutoScalingGroup."
    bad = subprocess.run([PY, os.path.join(EMULATOR_DIR, "topology.py"), "--endpoint", emu, "--compute",
                          "--primary-capacity", "4/2"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "MIN/DESIRED/MAX" in bad.stderr


def test_ssm_string_parameters_per_region(emu):
    east, west = client("ssm", emu, EAST), client("ssm", emu, WEST)
    east.put_parameter(Name="/unishop/active-region", Value="us-east-1", Type="String")
    west.put_parameter(Name="/unishop/active-region", Value="standby", Type="String")
    assert east.get_parameter(Name="/unishop/active-region")["Parameter"]["Value"] == "us-east-1"
    param = west.get_parameter(Name="/unishop/active-region")["Parameter"]
    assert (param["Value"], param["Type"], param["Version"]) == ("standby", "String", 1)
    assert param["ARN"] == "arn:aws:ssm:us-west-1:123456789012:parameter/unishop/active-region"
    with pytest.raises(ClientError) as err:
        west.put_parameter(Name="/unishop/active-region", Value="x", Type="String")
    assert err.value.response["Error"]["Code"] == "ParameterAlreadyExists"
    assert west.put_parameter(Name="/unishop/active-region", Value="active", Type="String", Overwrite=True)["Version"] == 2
    assert west.get_parameter(Name="/unishop/active-region")["Parameter"]["Value"] == "active"
    with pytest.raises(ClientError) as err:
        client("ssm", emu, "eu-west-1").get_parameter(Name="/unishop/active-region")
    assert err.value.response["Error"]["Code"] == "ParameterNotFound"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert calls(emu, "service=ssm&mutating=true")["counts"] == {"ssm:PutParameter": 4}


def test_aurora_unchanged_next_to_standby_compute(emu):
    app = topology.create_topology(emu, parts="aurora", compute=True)["apps"][0]
    control(emu, "config", {"capacity_seconds": 0.3})  # failover_seconds stays 1
    control(emu, "reset-calls", {})
    west_rds = client("rds", emu, WEST)
    started = time.monotonic()
    gc = west_rds.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                            TargetDbClusterIdentifier=app["aurora"]["secondary"]["arn"])["GlobalCluster"]
    assert gc["Status"] == "switching-over"
    client("autoscaling", emu, WEST).set_desired_capacity(AutoScalingGroupName="hot-secondary-asg", DesiredCapacity=4)
    wait_for(lambda: calls(emu, "operation=CapacityInService")["total"] == 1)
    during = west_rds.describe_global_clusters(GlobalClusterIdentifier="hot-global")["GlobalClusters"][0]
    assert during["FailoverState"]["Status"] == "switching-over"  # capacity_seconds does not shorten it
    wait_for(lambda: calls(emu, "operation=GlobalClusterFailoverCompleted")["total"] == 1)
    assert time.monotonic() - started >= 1.0
    after = west_rds.describe_global_clusters(GlobalClusterIdentifier="hot-global")["GlobalClusters"][0]
    assert writer_arn(after) == app["aurora"]["secondary"]["arn"] and "FailoverState" not in after
    rds = calls(emu, "service=rds&mutating=true")
    assert rds["counts"] == {"rds:SwitchoverGlobalCluster": 1}
    assert rds["calls"][0]["params"] == {"GlobalClusterIdentifier": "hot-global",
                                         "TargetDbClusterIdentifier": app["aurora"]["secondary"]["arn"]}
    log = sorted(calls(emu)["calls"], key=lambda c: c["epoch"])
    assert [c["operation"] for c in log if c["synthetic"]] == ["CapacityInService", "GlobalClusterFailoverCompleted"]
