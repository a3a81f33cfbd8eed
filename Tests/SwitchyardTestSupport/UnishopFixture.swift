/// The Unishop application of the "Hot Standby" lab as a desired-state file: the fixture tests start from and vary.
public let unishopYAML = """
    apiVersion: switchyard/v1
    kind: Application
    metadata:
      name: unishop
    spec:
      activeRegion: us-east-1
      standby: hot
      regions:
        us-east-1:
          bucket: hot-primary-uibucket-example
          originId: hot-primary-origin
          auroraCluster: arn:aws:rds:us-east-1:111122223333:cluster:hot-primary
        us-west-1:
          bucket: hot-secondary-uibucket-example
          originId: hot-secondary-origin
          auroraCluster: arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary
      cloudfront:
        distributionId: E1EXAMPLE
        originGroupId: hot-standby-origin-group
      aurora:
        globalClusterId: hot-global
        promotion: switchover

    """
