"""semslam_net: the joint segmentation + depth network of Nekrasov et al. (ICRA 2019), for semslam."""
